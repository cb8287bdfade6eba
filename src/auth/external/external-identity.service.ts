/**
 * Access tokens of an external identity provider (AUTH_JWKS_URL, AUTH_ISSUER, AUTH_AUDIENCE):
 * verified with jose against the provider's JWKS — keys cached, refetched when a token names an
 * unknown `kid` (at most once per AUTH_JWKS_COOLDOWN_SECONDS), so a key rotation needs no restart
 * — with the issuer, audience and asymmetric algorithms pinned (never HS*, never `none`). The
 * token's user is created on first use, keyed by (iss, sub).
 */
import { Injectable, Logger } from '@nestjs/common';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import type { AuthUser } from '../../common/auth/auth-user.js';
import { ServiceUnavailableError, UnauthenticatedError } from '../../common/errors/domain-error.js';
import { AppConfig } from '../../config/app.config.js';
import { UsersService } from '../../users/users.service.js';

export const EXTERNAL_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'];

/** Users seen lately, (iss, sub) → id: a token costs no query once its user is known. */
const KNOWN_USERS_MAX = 10_000;

type Verify = (token: string) => Promise<JWTPayload>;

@Injectable()
export class ExternalIdentityService {
  private readonly verifyJwt: Verify | null;
  private readonly knownUsers = new Map<string, string>();
  private readonly logger = new Logger('ExternalIdentity');

  constructor(
    config: AppConfig,
    private readonly users: UsersService,
  ) {
    const external = config.externalAuth;
    if (!external) {
      this.verifyJwt = null;
      return;
    }
    const keys = createRemoteJWKSet(new URL(external.jwksUrl), {
      cooldownDuration: external.jwksCooldownSeconds * 1000,
      timeoutDuration: 5000,
    });
    this.verifyJwt = async (token) =>
      (
        await jwtVerify(token, keys, {
          issuer: external.issuer,
          audience: external.audience,
          algorithms: EXTERNAL_ALGORITHMS,
          requiredClaims: ['sub', 'exp'],
          clockTolerance: 30,
        })
      ).payload;
  }

  get enabled(): boolean {
    return this.verifyJwt !== null;
  }

  /**
   * The caller a provider's token names. A bad token is UNAUTHENTICATED; a provider that cannot
   * be reached is SERVICE_UNAVAILABLE (the WebSocket then closes with 1013, which clients retry).
   */
  async verify(token: string): Promise<AuthUser> {
    if (!this.verifyJwt) throw new UnauthenticatedError('Invalid or expired token');
    let payload: JWTPayload;
    try {
      payload = await this.verifyJwt(token);
    } catch (error) {
      if (isProviderFailure(error)) {
        this.logger.warn(`could not read the identity provider's keys: ${String(error)}`);
        throw new ServiceUnavailableError();
      }
      throw new UnauthenticatedError('Invalid or expired token');
    }
    const id = await this.userOf(payload);
    return { id, expiresAt: payload.exp! };
  }

  private async userOf(payload: JWTPayload): Promise<string> {
    const key = `${payload.iss}\n${payload.sub}`;
    const known = this.knownUsers.get(key);
    if (known) return known;
    const id = await this.users.findOrCreateExternal({
      issuer: payload.iss!,
      subject: payload.sub!,
      preferredUsername: stringClaim(payload.preferred_username),
      name: stringClaim(payload.name),
    });
    if (this.knownUsers.size >= KNOWN_USERS_MAX) this.knownUsers.clear();
    this.knownUsers.set(key, id);
    return id;
  }
}

function stringClaim(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The JWKS could not be fetched or read: no verdict on the token. */
function isProviderFailure(error: unknown): boolean {
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return true;
  // A bad HTTP status or body is a bare JOSEError; fetch's own failures (connection refused)
  // come through as they are. Every verdict on the token is a subclass.
  return !(error instanceof errors.JOSEError) || error.constructor === errors.JOSEError;
}
