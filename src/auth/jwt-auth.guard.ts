/**
 * Global guard: every resolver and route needs a valid access token unless marked @Public(), so a
 * new endpoint cannot be left open by mistake. WebSocket operations were authenticated at
 * connection_init and arrive with the user already on the context.
 */
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Request } from 'express';
import type { AuthUser } from '../common/auth/auth-user.js';
import { IS_PUBLIC } from '../common/auth/public.decorator.js';
import type { GraphqlContext } from '../graphql/graphql-context.js';
import { TokenService } from './token.service.js';

@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;

    if (context.getType<string>() === 'graphql') {
      const ctx = GqlExecutionContext.create(context).getContext<GraphqlContext>();
      ctx.user ??= await this.tokens.verifyBearer(ctx.req?.headers.authorization);
      return true;
    }
    const req = context.switchToHttp().getRequest<Request & { user?: AuthUser }>();
    req.user ??= await this.tokens.verifyBearer(req.headers.authorization);
    return true;
  }
}
