import {
  Args,
  Context,
  Int,
  Mutation,
  Query,
  ResolveField,
  Resolver,
  Subscription,
} from '@nestjs/graphql';
import type { AuthUser } from '../common/auth/auth-user.js';
import { CurrentUser } from '../common/auth/current-user.decorator.js';
import type { GraphqlContext } from '../common/graphql-context.js';
import { Conversation } from '../conversations/conversation.entity.js';
import {
  MarkConversationReadArgs,
  ReadReceiptsArgs,
  SetConversationMutedArgs,
} from './dto/read-state.args.js';
import { ReadReceipt, UnreadSummary } from './dto/read-state.types.js';
import type { ReadReceipt as ReadReceiptEvent } from './read-receipt.event.js';
import { ReadStateLoader } from './read-state.loader.js';
import type { ReadState } from './read-state.repository.js';
import { ReadStateService } from './read-state.service.js';

@Resolver()
export class ReadStateResolver {
  constructor(private readonly readState: ReadStateService) {}

  @Mutation(() => Conversation, {
    description: 'Moves the caller’s lastReadSeq forward, at most to the last seq.',
  })
  markConversationRead(
    @CurrentUser() user: AuthUser,
    @Args() args: MarkConversationReadArgs,
    @Context() ctx: GraphqlContext,
  ): Promise<Conversation> {
    return this.readState.markRead(user.id, args.conversationId, args.upToSeq, ctx.loaders);
  }

  @Mutation(() => Conversation, {
    description: 'Muted conversations are left out of unreadSummary.',
  })
  setConversationMuted(
    @CurrentUser() user: AuthUser,
    @Args() args: SetConversationMutedArgs,
  ): Promise<Conversation> {
    return this.readState.setMuted(user.id, args.conversationId, args.muted);
  }

  @Query(() => UnreadSummary, {
    description: 'Unread counts over the caller’s unmuted conversations.',
  })
  unreadSummary(@CurrentUser() user: AuthUser): Promise<UnreadSummary> {
    return this.readState.summary(user.id);
  }

  @Subscription(() => ReadReceipt, {
    description:
      "Each change of a member's lastReadSeq, for the other members and the reader's other connections; coalesced to one a second per reader and conversation.",
    resolve: (receipt: ReadReceiptEvent) => receipt,
  })
  readReceipts(
    @CurrentUser() user: AuthUser,
    @Args() args: ReadReceiptsArgs,
  ): Promise<AsyncIterableIterator<ReadReceiptEvent>> {
    return this.readState.stream(user.id, args.conversationId ?? undefined);
  }
}

/**
 * The caller's read state on `Conversation`, batched for a page: one DataLoader query for all of
 * it. These take GraphQL's own (parent, args, context) instead of @Parent()/@Context(): a field
 * resolver without parameter decorators (and, as here, without field enhancers or middleware)
 * is called by @nestjs/graphql as it is, not through Nest's per-call pipeline of promises, which
 * was most of what the four fields cost a page of 50 (200 resolutions; bench/README.md, Read
 * state). There is nothing to validate: no arguments, and the state read is the caller's own.
 */
@Resolver(() => Conversation)
export class ConversationReadStateResolver {
  constructor(private readonly loader: ReadStateLoader) {}

  @ResolveField(() => Int, { description: 'The seq up to which the caller has read.' })
  lastReadSeq(c: Conversation, _args: unknown, ctx: GraphqlContext): Promise<number> {
    return this.state(c, ctx).then((s) => s?.lastReadSeq ?? c.lastSeq);
  }

  @ResolveField(() => Int, {
    description: "Others' messages after lastReadSeq that are not deleted.",
  })
  unreadCount(c: Conversation, _args: unknown, ctx: GraphqlContext): Promise<number> {
    return this.state(c, ctx).then((s) => s?.unreadCount ?? 0);
  }

  @ResolveField(() => Int, { description: 'Those of unreadCount that mention the caller.' })
  unreadMentionCount(c: Conversation, _args: unknown, ctx: GraphqlContext): Promise<number> {
    return this.state(c, ctx).then((s) => s?.unreadMentionCount ?? 0);
  }

  @ResolveField(() => Boolean)
  muted(c: Conversation, _args: unknown, ctx: GraphqlContext): Promise<boolean> {
    return this.state(c, ctx).then((s) => s?.muted ?? false);
  }

  private state(c: Conversation, ctx: GraphqlContext): Promise<ReadState | null> {
    // Conversations reach a caller only through membership checks, so a user is always set.
    return ctx.user ? this.loader.load(ctx.loaders, ctx.user.id, c.id) : Promise.resolve(null);
  }
}
