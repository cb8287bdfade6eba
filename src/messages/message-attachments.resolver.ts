/** `Message.attachments`, resolved here so that attachments need not know the Message type. */
import { Context, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import type { AttachmentInfo } from '../attachments/attachment-info.js';
import { Attachment } from '../attachments/attachment.entity.js';
import { AttachmentsLoader } from '../attachments/attachments.loader.js';
import type { GraphqlContext } from '../common/graphql-context.js';
import { Message } from './message.entity.js';
import { hasDetails } from './message-with-details.js';

@Resolver(() => Message)
export class MessageAttachmentsResolver {
  constructor(private readonly loader: AttachmentsLoader) {}

  @ResolveField(() => [Attachment], { description: 'In upload order; empty when none.' })
  attachments(
    @Parent() message: Message,
    @Context() ctx: GraphqlContext,
  ): Promise<AttachmentInfo[]> {
    // Fresh sends and real-time events arrive with them; history pages load them in one batch.
    return hasDetails(message)
      ? Promise.resolve(message.attachments)
      : this.loader.load(ctx.loaders, message.id);
  }
}
