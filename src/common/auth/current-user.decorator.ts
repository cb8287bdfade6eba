/** `@CurrentUser() user: AuthUser` in resolvers and controllers (set by the auth guard). */
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Request } from 'express';
import type { GraphqlContext } from '../../graphql/graphql-context.js';
import type { AuthUser } from './auth-user.js';
import { UnauthenticatedError } from '../errors/domain-error.js';

export function authUserOf(context: ExecutionContext): AuthUser | undefined {
  if (context.getType<string>() === 'graphql') {
    return GqlExecutionContext.create(context).getContext<GraphqlContext>().user;
  }
  return context.switchToHttp().getRequest<Request & { user?: AuthUser }>().user;
}

export const CurrentUser = createParamDecorator((_: unknown, context: ExecutionContext) => {
  const user = authUserOf(context);
  if (!user) throw new UnauthenticatedError();
  return user;
});
