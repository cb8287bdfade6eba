/**
 * `Message.replyTo`, `mentions` and `reactions`, and the `Reaction` fields. Messages with details
 * (sends, events, replays) carry them; history pages load them in batches.
 */
import { Context, Info, Int, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import type { GraphqlContext } from '../common/graphql-context.js';
import { perViewer } from '../common/viewer-fields.js';
import { User } from '../users/user.entity.js';
import { UserLoader } from '../users/user.loader.js';
import { Reaction, SHOWN_REACTORS } from './dto/reaction.type.js';
import { Message } from './message.entity.js';
import { hasDetails, type ReactionSummary } from './message-with-details.js';
import { MessageDetailsLoader } from './message-details.loader.js';

@Resolver(() => Message)
export class MessageDetailsResolver {
  constructor(
    private readonly loader: MessageDetailsLoader,
    private readonly userLoader: UserLoader,
  ) {}

  @ResolveField(() => Message, {
    nullable: true,
    description: 'The message this one answers, as it is now (a tombstone once deleted).',
  })
  replyTo(@Parent() message: Message, @Context() ctx: GraphqlContext): Promise<Message | null> {
    if (hasDetails(message)) return Promise.resolve(message.replyTo);
    if (!message.replyToId) return Promise.resolve(null);
    return this.loader.message(ctx.loaders, message.replyToId);
  }

  @ResolveField(() => [User], { description: 'Members mentioned at the send; empty once deleted.' })
  async mentions(@Parent() message: Message, @Context() ctx: GraphqlContext): Promise<User[]> {
    if (hasDetails(message)) return message.mentions;
    const users = await Promise.all(
      message.mentionedUserIds.map((id) => this.userLoader.load(ctx.loaders, id)),
    );
    return users.filter((u): u is User => u !== null);
  }

  @ResolveField(() => [Reaction], {
    description: 'One entry per emoji, in the order each was first used; empty once deleted.',
  })
  reactions(
    @Parent() message: Message,
    @Context() ctx: GraphqlContext,
  ): Promise<ReactionSummary[]> {
    return hasDetails(message)
      ? Promise.resolve(message.reactions)
      : this.loader.reactions(ctx.loaders, message.id);
  }
}

@Resolver(() => Reaction)
export class ReactionResolver {
  @ResolveField(() => Int, { description: 'Exactly how many users reacted with this emoji.' })
  count(@Parent() reaction: ReactionSummary): number {
    return reaction.userIds.length;
  }

  @ResolveField(() => [String], {
    description: `The first ${SHOWN_REACTORS} users who reacted with it, in that order.`,
  })
  userIds(@Parent() reaction: ReactionSummary): string[] {
    return reaction.userIds.slice(0, SHOWN_REACTORS);
  }

  @ResolveField(() => Boolean, { description: 'Whether the caller reacted with it.' })
  reactedByMe(
    @Parent() reaction: ReactionSummary,
    @Context() ctx: GraphqlContext,
    @Info() info: GraphQLResolveInfo,
  ): boolean {
    // Per viewer, also inside a subscription result shared by all (see viewer-fields.ts).
    return perViewer(
      ctx,
      info,
      (viewerId) => viewerId !== undefined && reaction.userIds.includes(viewerId),
    );
  }
}
