/** `Conversation.avatarUrl`, resolved here so that conversations need not know file urls. */
import { Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { Conversation } from '../conversations/conversation.entity.js';
import { fileUrl } from './attachment.view.js';

@Resolver(() => Conversation)
export class ConversationAvatarResolver {
  @ResolveField(() => String, {
    nullable: true,
    description: 'Groups: an image uploaded to the conversation (`/files/<id>`, members only).',
  })
  avatarUrl(@Parent() conversation: Conversation): string | null {
    return conversation.avatarAttachmentId ? fileUrl(conversation.avatarAttachmentId) : null;
  }
}
