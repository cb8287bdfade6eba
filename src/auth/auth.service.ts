/**
 * Registration, login and refresh: accounts with argon2id password hashes, each login a session
 * (see SessionsService), answered with a short-lived access token and the session's refresh token.
 */
import { Injectable } from '@nestjs/common';
import { BadUserInputError, UnauthenticatedError } from '../common/errors/domain-error.js';
import type { AuthUser } from '../common/auth/auth-user.js';
import { RateLimiter } from '../rate-limit/rate-limiter.js';
import type { User } from '../users/user.entity.js';
import { UsersRepository } from '../users/users.repository.js';
import { UsersService } from '../users/users.service.js';
import type { AuthPayload } from './dto/auth-payload.type.js';
import type { LoginInput } from './dto/login.input.js';
import type { RegisterInput } from './dto/register.input.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { SessionsService, type StartedSession } from './sessions/sessions.service.js';
import { TokenService } from './token.service.js';

/** Where a request came from: its address (rate limits) and User-Agent (the sessions list). */
export interface ClientInfo {
  ip: string;
  userAgent?: string;
}

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly usersRepository: UsersRepository,
    private readonly tokens: TokenService,
    private readonly sessions: SessionsService,
    private readonly rateLimiter: RateLimiter,
  ) {}

  async register(input: RegisterInput, client: ClientInfo): Promise<AuthPayload> {
    await this.rateLimiter.consume('registrationsPerIp', client.ip);
    const user = await this.users.create({
      username: input.username,
      displayName: input.displayName ?? input.username,
      passwordHash: await hashPassword(input.password),
    });
    return this.payload(user, await this.sessions.start(user.id, client.userAgent));
  }

  /** The limits count per (username, address) first (see RateLimiter.consumeLogin). */
  async login(input: LoginInput, client: ClientInfo): Promise<AuthPayload> {
    await this.rateLimiter.consumeLogin(input.username, client.ip);
    const found = await this.usersRepository.findWithPasswordHash(input.username);
    // Same answer and about the same time for an unknown user and a wrong password.
    if (!(await verifyPassword(found?.passwordHash ?? undefined, input.password)) || !found) {
      throw new UnauthenticatedError('Wrong username or password');
    }
    const { passwordHash: _hash, ...user } = found;
    return this.payload(user, await this.sessions.start(user.id, client.userAgent));
  }

  async refresh(refreshToken: string, client: ClientInfo): Promise<AuthPayload> {
    await this.rateLimiter.consume('refreshesPerIp', client.ip);
    const session = await this.sessions.refresh(refreshToken);
    return this.payload(await this.users.getById(session.userId), session);
  }

  /** A wrong current password changes nothing (BAD_USER_INPUT); success ends the other sessions. */
  async changePassword(caller: AuthUser, current: string, next: string): Promise<void> {
    // Guessing the current password with a stolen access token is slowed like a login.
    await this.rateLimiter.consume('loginsPerUsername', caller.id);
    const found = await this.usersRepository.findWithPasswordHashById(caller.id);
    if (!found) throw new UnauthenticatedError();
    if (!found.passwordHash || !(await verifyPassword(found.passwordHash, current))) {
      throw new BadUserInputError('The current password is wrong', {
        fields: [{ field: 'currentPassword', messages: ['is wrong'] }],
      });
    }
    await this.usersRepository.updatePasswordHash(caller.id, await hashPassword(next));
    await this.sessions.end(caller.id, { allBut: caller.sessionId });
  }

  private async payload(user: User, session: StartedSession): Promise<AuthPayload> {
    const access = await this.tokens.sign(user.id, session.sessionId);
    return {
      accessToken: access.token,
      accessTokenExpiresAt: access.expiresAt,
      refreshToken: session.refreshToken,
      user,
    };
  }
}
