import { Args, ID, Mutation, Resolver } from '@nestjs/graphql';
import type { AuthUser } from '../common/auth/auth-user.js';
import { CurrentUser } from '../common/auth/current-user.decorator.js';
import { EditMessageInput } from './dto/edit-message.input.js';
import { ReactionArgs } from './dto/reaction.args.js';
import { Message } from './message.entity.js';
import { MessageChangesService } from './message-changes.service.js';

@Resolver(() => Message)
export class MessageChangesResolver {
  constructor(private readonly changes: MessageChangesService) {}

  @Mutation(() => Message, {
    description: 'The sender only; the same text rules as a send. Not on a deleted message.',
  })
  editMessage(
    @CurrentUser() user: AuthUser,
    @Args('input') input: EditMessageInput,
  ): Promise<Message> {
    return this.changes.edit(user.id, input.messageId, input.text);
  }

  @Mutation(() => Message, {
    description:
      'The sender, or a group OWNER/ADMIN. Leaves a tombstone (same id and seq); deleting twice answers it again.',
  })
  deleteMessage(
    @CurrentUser() user: AuthUser,
    @Args('messageId', { type: () => ID }) messageId: string,
  ): Promise<Message> {
    return this.changes.delete(user.id, messageId);
  }

  @Mutation(() => Message, { description: 'Idempotent; at most 50 different emoji per message.' })
  addReaction(@CurrentUser() user: AuthUser, @Args() args: ReactionArgs): Promise<Message> {
    return this.changes.react(user.id, args.messageId, args.emoji, true);
  }

  @Mutation(() => Message, { description: 'Idempotent.' })
  removeReaction(@CurrentUser() user: AuthUser, @Args() args: ReactionArgs): Promise<Message> {
    return this.changes.react(user.id, args.messageId, args.emoji, false);
  }
}
