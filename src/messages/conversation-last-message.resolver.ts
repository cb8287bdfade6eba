/** `Conversation.lastMessage`, resolved here so conversations need not depend on messages. */
import { Context, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { Conversation } from '../conversations/conversation.entity.js';
import type { GraphqlContext } from '../common/graphql-context.js';
import { LastMessageLoader } from './last-message.loader.js';
import { Message } from './message.entity.js';

@Resolver(() => Conversation)
export class ConversationLastMessageResolver {
  constructor(private readonly lastMessages: LastMessageLoader) {}

  @ResolveField(() => Message, { nullable: true })
  lastMessage(
    @Parent() conversation: Conversation,
    @Context() ctx: GraphqlContext,
  ): Promise<Message | null> {
    return conversation.lastSeq === 0
      ? Promise.resolve(null)
      : this.lastMessages.load(ctx.loaders, conversation.id);
  }
}
