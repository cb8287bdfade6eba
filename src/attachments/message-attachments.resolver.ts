/**
 * `Message.attachments` and `Attachment.url`, resolved here so that the messages module need not
 * know the Attachment GraphQL type.
 */
import { Context, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import type { GraphqlContext } from '../common/graphql-context.js';
import { Message } from '../messages/message.entity.js';
import { Attachment, type AttachmentInfo } from './attachment.entity.js';
import { fileUrl } from './attachment.view.js';
import { AttachmentsLoader } from './attachments.loader.js';

@Resolver(() => Message)
export class MessageAttachmentsResolver {
  constructor(private readonly loader: AttachmentsLoader) {}

  @ResolveField(() => [Attachment], { description: 'In upload order; empty when none.' })
  attachments(
    @Parent() message: Message,
    @Context() ctx: GraphqlContext,
  ): Promise<AttachmentInfo[]> {
    // Fresh sends and real-time events arrive with them; history pages load them in one batch.
    return message.attachments
      ? Promise.resolve(message.attachments)
      : this.loader.load(ctx.loaders, message.id);
  }
}

@Resolver(() => Attachment)
export class AttachmentResolver {
  @ResolveField(() => String, {
    description:
      'Where to GET the file (with the same bearer token): a path relative to the API origin, `/files/<id>`.',
  })
  url(@Parent() attachment: AttachmentInfo): string {
    return fileUrl(attachment.id);
  }
}
