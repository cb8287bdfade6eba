/**
 * Access tokens: HS256 JWTs carrying `sub` and `exp`. Verification pins the algorithm, so a token
 * signed with another algorithm (or `alg: none`) is refused whatever its header says.
 */
import { Injectable, Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { createSecretKey, type KeyObject } from 'node:crypto';
import { AppConfig } from '../config/app.config.js';
import type { AuthUser } from '../common/auth/auth-user.js';
import { UnauthenticatedError } from '../common/errors/domain-error.js';
import { isUuid } from '../common/uuid.js';

const ALGORITHM = 'HS256';

@Injectable()
export class TokenService {
  /**
   * The secret as a KeyObject, made once: given a string, jsonwebtoken first tries (and fails,
   * slowly) to read it as a PEM key on every sign and verify (figures: bench/README.md,
   * "Profiling notes behind the code"). @nestjs/jwt types the option as string | Buffer but
   * hands it to jsonwebtoken unchanged.
   */
  private readonly key: KeyObject;

  constructor(
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
  ) {
    this.key = createSecretKey(Buffer.from(config.jwt.secret));
    if (config.jwt.isDevelopmentSecret) {
      new Logger('Auth').warn(
        'JWT_SECRET is not set: using a development key. Never do this in production.',
      );
    }
  }

  sign(userId: string): Promise<string> {
    return this.jwt.signAsync(
      { sub: userId },
      {
        algorithm: ALGORITHM,
        secret: this.key as unknown as string,
        expiresIn: this.config.jwt.expiresInSeconds,
      },
    );
  }

  /** Verifies a bare token; any failure (forged, expired, malformed) is UNAUTHENTICATED. */
  async verify(token: string): Promise<AuthUser> {
    try {
      const payload = await this.jwt.verifyAsync<{ sub?: unknown; exp?: unknown }>(token, {
        algorithms: [ALGORITHM],
        secret: this.key as unknown as string,
      });
      // `sub` is a user id; anything else was never issued here and would only reach the database.
      if (!isUuid(payload.sub) || typeof payload.exp !== 'number') throw new Error('claims');
      return { id: payload.sub, expiresAt: payload.exp };
    } catch {
      throw new UnauthenticatedError('Invalid or expired token');
    }
  }

  /** Verifies an `Authorization: Bearer <token>` value. */
  verifyBearer(header: unknown): Promise<AuthUser> {
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header.trim()) : null;
    if (!match) return Promise.reject(new UnauthenticatedError());
    return this.verify(match[1]);
  }
}
