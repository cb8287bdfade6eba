/**
 * Global guard: every resolver and route needs a valid access token unless marked @Public(), so a
 * new endpoint cannot be left open by mistake. WebSocket operations were authenticated at
 * connection_init and arrive with the user already on the context.
 */
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { authHolderOf } from '../common/auth/current-user.decorator.js';
import { IS_PUBLIC } from '../common/auth/public.decorator.js';
import { UserExistence } from '../users/user-existence.service.js';
import { TokenService } from './token.service.js';

@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    private readonly existence: UserExistence,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;

    const { holder, authorization } = authHolderOf(context);
    if (holder.user) return true;
    const user = await this.tokens.verifyBearer(authorization);
    // A valid token of a deleted account is no caller.
    await this.existence.assertExists(user.id);
    holder.user = user;
    return true;
  }
}
