/** Sessions over GraphQL: refresh, the list of one's sessions, and ending them. */
import { Args, Context, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { AuthUser } from '../common/auth/auth-user.js';
import { CurrentUser } from '../common/auth/current-user.decorator.js';
import { Public } from '../common/auth/public.decorator.js';
import type { GraphqlContext } from '../common/graphql-context.js';
import { AuthService, type ClientInfo } from './auth.service.js';
import { AuthPayload } from './dto/auth-payload.type.js';
import { ChangePasswordArgs } from './dto/change-password.args.js';
import { RefreshSessionArgs } from './dto/refresh-session.args.js';
import { SessionView } from './dto/session.type.js';
import { SessionsService } from './sessions/sessions.service.js';

export function clientOf(ctx: GraphqlContext): ClientInfo {
  return { ip: ctx.req?.ip ?? 'unknown', userAgent: ctx.req?.headers['user-agent'] };
}

@Resolver()
export class SessionsResolver {
  constructor(
    private readonly auth: AuthService,
    private readonly sessionsService: SessionsService,
  ) {}

  @Public()
  @Mutation(() => AuthPayload, {
    description:
      'A new access token and refresh token; the refresh token passed in is spent. UNAUTHENTICATED for an invalid, expired or spent one (reusing a spent one ends its session).',
  })
  refreshSession(
    @Args() args: RefreshSessionArgs,
    @Context() ctx: GraphqlContext,
  ): Promise<AuthPayload> {
    return this.auth.refresh(args.refreshToken, clientOf(ctx));
  }

  @Query(() => [SessionView], { description: "The caller's live sessions, newest first." })
  async sessions(@CurrentUser() user: AuthUser): Promise<SessionView[]> {
    const sessions = await this.sessionsService.list(user.id);
    return sessions.map((s) => ({
      id: s.id,
      createdAt: s.createdAt,
      lastUsedAt: s.lastUsedAt,
      expiresAt: s.expiresAt,
      userAgent: s.userAgent,
      current: s.id === user.sessionId,
    }));
  }

  @Mutation(() => Boolean, { description: "Ends the caller's session: its tokens stop at once." })
  async logout(@CurrentUser() user: AuthUser): Promise<boolean> {
    if (user.sessionId) await this.sessionsService.end(user.id, { only: user.sessionId });
    return true;
  }

  @Mutation(() => Boolean, { description: "Ends every one of the caller's sessions." })
  async logoutEverywhere(@CurrentUser() user: AuthUser): Promise<boolean> {
    await this.sessionsService.end(user.id, {});
    return true;
  }

  @Mutation(() => Boolean, {
    description: "Ends one of the caller's sessions; NOT_FOUND otherwise.",
  })
  async revokeSession(
    @CurrentUser() user: AuthUser,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<boolean> {
    await this.sessionsService.end(user.id, { only: id });
    return true;
  }

  @Mutation(() => Boolean, {
    description:
      'BAD_USER_INPUT when currentPassword is wrong; on success every other session ends.',
  })
  async changePassword(
    @CurrentUser() user: AuthUser,
    @Args() args: ChangePasswordArgs,
  ): Promise<boolean> {
    await this.auth.changePassword(user, args.currentPassword, args.newPassword);
    return true;
  }
}
