/** `@CurrentUser() user: AuthUser` in resolvers and controllers (set by the auth guard). */
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Request } from 'express';
import type { GraphqlContext } from '../graphql-context.js';
import type { AuthUser } from './auth-user.js';
import { UnauthenticatedError } from '../errors/domain-error.js';

/**
 * Where this request keeps its caller — the GraphQL context or the HTTP request — and the
 * Authorization header it came with (none on WebSocket operations: the socket was authenticated).
 */
export function authHolderOf(context: ExecutionContext): {
  holder: { user?: AuthUser };
  authorization: unknown;
} {
  if (context.getType<string>() === 'graphql') {
    const ctx = GqlExecutionContext.create(context).getContext<GraphqlContext>();
    return { holder: ctx, authorization: ctx.req?.headers.authorization };
  }
  const req = context.switchToHttp().getRequest<Request & { user?: AuthUser }>();
  return { holder: req, authorization: req.headers.authorization };
}

export const CurrentUser = createParamDecorator((_: unknown, context: ExecutionContext) => {
  const user = authHolderOf(context).holder.user;
  if (!user) throw new UnauthenticatedError();
  return user;
});
