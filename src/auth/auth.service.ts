/** Registration and login: accounts with argon2id password hashes, answered with an access token. */
import { Injectable } from '@nestjs/common';
import { UnauthenticatedError } from '../common/errors/domain-error.js';
import { RateLimiter } from '../rate-limit/rate-limiter.js';
import { UsersRepository } from '../users/users.repository.js';
import { UsersService } from '../users/users.service.js';
import type { AuthPayload } from './dto/auth-payload.type.js';
import type { LoginInput } from './dto/login.input.js';
import type { RegisterInput } from './dto/register.input.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { TokenService } from './token.service.js';

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly usersRepository: UsersRepository,
    private readonly tokens: TokenService,
    private readonly rateLimiter: RateLimiter,
  ) {}

  async register(input: RegisterInput, clientIp: string): Promise<AuthPayload> {
    await this.rateLimiter.consume('registrationsPerIp', clientIp);
    const user = await this.users.create({
      username: input.username,
      displayName: input.displayName ?? input.username,
      passwordHash: await hashPassword(input.password),
    });
    return { accessToken: await this.tokens.sign(user.id), user };
  }

  /** `clientIp` feeds the per-address limits (see RateLimiter.consumeLogin). */
  async login(input: LoginInput, clientIp: string): Promise<AuthPayload> {
    await this.rateLimiter.consumeLogin(input.username, clientIp);
    const found = await this.usersRepository.findWithPasswordHash(input.username);
    // Same answer and about the same time for an unknown user and a wrong password.
    if (!(await verifyPassword(found?.passwordHash, input.password)) || !found) {
      throw new UnauthenticatedError('Wrong username or password');
    }
    const { passwordHash: _hash, ...user } = found;
    return { accessToken: await this.tokens.sign(user.id), user };
  }
}
