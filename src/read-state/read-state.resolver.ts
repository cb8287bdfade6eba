import {
  Args,
  Context,
  Int,
  Mutation,
  Parent,
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
  ): Promise<Conversation> {
    return this.readState.markRead(user.id, args.conversationId, args.upToSeq);
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

/** The caller's read state on `Conversation`, batched for a page. */
@Resolver(() => Conversation)
export class ConversationReadStateResolver {
  constructor(private readonly loader: ReadStateLoader) {}

  @ResolveField(() => Int, { description: 'The seq up to which the caller has read.' })
  async lastReadSeq(@Parent() c: Conversation, @Context() ctx: GraphqlContext): Promise<number> {
    return (await this.state(c, ctx))?.lastReadSeq ?? c.lastSeq;
  }

  @ResolveField(() => Int, {
    description: "Others' messages after lastReadSeq that are not deleted.",
  })
  async unreadCount(@Parent() c: Conversation, @Context() ctx: GraphqlContext): Promise<number> {
    return (await this.state(c, ctx))?.unreadCount ?? 0;
  }

  @ResolveField(() => Int, { description: 'Those of unreadCount that mention the caller.' })
  async unreadMentionCount(
    @Parent() c: Conversation,
    @Context() ctx: GraphqlContext,
  ): Promise<number> {
    return (await this.state(c, ctx))?.unreadMentionCount ?? 0;
  }

  @ResolveField(() => Boolean)
  async muted(@Parent() c: Conversation, @Context() ctx: GraphqlContext): Promise<boolean> {
    return (await this.state(c, ctx))?.muted ?? false;
  }

  private state(c: Conversation, ctx: GraphqlContext): Promise<ReadState | null> {
    // Conversations reach a caller only through membership checks, so a user is always set.
    return ctx.user ? this.loader.load(ctx.loaders, ctx.user.id, c.id) : Promise.resolve(null);
  }
}
