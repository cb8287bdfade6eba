/**
 * Access tokens: HS256 JWTs carrying `sub` (the user), `sid` (the session) and `exp`.
 * Verification pins the algorithm, so a token signed with another algorithm (or `alg: none`) is
 * refused whatever its header says, and refuses the tokens of an ended session (from memory, see
 * SessionRevocations).
 */
import { Injectable, Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { LRUCache } from 'lru-cache';
import { createSecretKey, type KeyObject } from 'node:crypto';
import { AppConfig } from '../config/app.config.js';
import type { AuthUser } from '../common/auth/auth-user.js';
import { UnauthenticatedError } from '../common/errors/domain-error.js';
import { isUuid } from '../common/uuid.js';
import { decodeProtectedHeader } from 'jose';
import { ExternalIdentityService } from './external/external-identity.service.js';
import { SessionRevocations } from './sessions/session-revocations.js';

export interface SignedAccessToken {
  token: string;
  expiresAt: Date;
}

const ALGORITHM = 'HS256';

/**
 * Own tokens verified lately, by their exact text (signature included, so no other text can hit
 * an entry). An HTTP client sends the same token with every request until it refreshes: checking
 * its signature and claims again cost ~40 µs each (bench/README.md, "Round three: the send path's
 * CPU"). Each entry lives until its token expires; the revoked-session check runs on every call.
 */
const VERIFIED_TOKENS = 10_000;

export interface VerifyOptions {
  /**
   * Keep the verdict for the token's next use (default). A WebSocket checks its token once, at
   * connection_init: it reads the cache but adds nothing, or every idle socket would hold its token
   * text there for nothing (bench/README.md, "Round four: idle memory").
   */
  remember?: boolean;
}

@Injectable()
export class TokenService {
  /**
   * The secret as a KeyObject, made once: given a string, jsonwebtoken first tries (and fails,
   * slowly) to read it as a PEM key on every sign and verify (figures: bench/README.md,
   * "Profiling notes behind the code"). @nestjs/jwt types the option as string | Buffer but
   * hands it to jsonwebtoken unchanged.
   */
  private readonly key: KeyObject;
  private readonly verified = new LRUCache<string, AuthUser>({ max: VERIFIED_TOKENS });

  constructor(
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
    private readonly revocations: SessionRevocations,
    private readonly external: ExternalIdentityService,
  ) {
    this.key = createSecretKey(Buffer.from(config.jwt.secret));
    if (config.jwt.isDevelopmentSecret) {
      new Logger('Auth').warn(
        'JWT_SECRET is not set: using a development key. Never do this in production.',
      );
    }
  }

  async sign(userId: string, sessionId: string): Promise<SignedAccessToken> {
    const iat = Math.floor(Date.now() / 1000);
    const exp = iat + this.config.jwt.expiresInSeconds;
    const token = await this.jwt.signAsync(
      { sub: userId, sid: sessionId, iat, exp },
      { algorithm: ALGORITHM, secret: this.key as unknown as string },
    );
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /**
   * Verifies a bare token; any failure (forged, expired, malformed) is UNAUTHENTICATED. Our own
   * tokens are HS256; a token with an asymmetric algorithm can only be the external identity
   * provider's (when one is configured), and is checked against its keys alone.
   */
  verify(token: string, options: VerifyOptions = {}): Promise<AuthUser> {
    if (this.external.enabled && headerAlgorithm(token) !== ALGORITHM) {
      return this.external.verify(token);
    }
    return this.verifyOwn(token, options.remember ?? true);
  }

  private async verifyOwn(token: string, remember: boolean): Promise<AuthUser> {
    const user = this.verifiedBefore(token) ?? (await this.verifySignature(token, remember));
    if (this.revocations.isRevoked(user.sessionId!)) {
      throw new UnauthenticatedError('This session has ended');
    }
    return user;
  }

  /** A copy of what `token` verified as before, while it has not expired (as jsonwebtoken says). */
  private verifiedBefore(token: string): AuthUser | undefined {
    const user = this.verified.get(token);
    if (!user) return undefined;
    // jsonwebtoken refuses a token from the second of its `exp` on.
    if (Math.floor(Date.now() / 1000) < user.expiresAt) return { ...user };
    this.verified.delete(token);
    return undefined;
  }

  private async verifySignature(token: string, remember: boolean): Promise<AuthUser> {
    let user: AuthUser;
    let cacheable: boolean;
    try {
      const payload = await this.jwt.verifyAsync<{
        sub?: unknown;
        sid?: unknown;
        exp?: unknown;
        nbf?: unknown;
      }>(token, { algorithms: [ALGORITHM], secret: this.key as unknown as string });
      if (!isUuid(payload.sub) || typeof payload.exp !== 'number') throw new Error('claims');
      // Every token this server signs names its session, so that ending the session stops it.
      if (!isUuid(payload.sid)) throw new Error('claims');
      user = { id: payload.sub, expiresAt: payload.exp, sessionId: payload.sid };
      // A token with a not-before time (never one of ours) is verified every time.
      cacheable = payload.nbf === undefined;
    } catch {
      throw new UnauthenticatedError('Invalid or expired token');
    }
    const ttl = user.expiresAt * 1000 - Date.now();
    if (remember && cacheable && ttl > 0) this.verified.set(token, { ...user }, { ttl });
    return user;
  }

  /** Verifies an `Authorization: Bearer <token>` value. */
  verifyBearer(header: unknown, options?: VerifyOptions): Promise<AuthUser> {
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header.trim()) : null;
    if (!match) return Promise.reject(new UnauthenticatedError());
    return this.verify(match[1], options);
  }
}

function headerAlgorithm(token: string): unknown {
  try {
    return decodeProtectedHeader(token).alg;
  } catch {
    return undefined;
  }
}
