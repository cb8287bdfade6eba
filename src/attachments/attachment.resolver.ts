/** `Attachment.url`: where the file is downloaded (see attachment.view.ts). */
import { Parent, ResolveField, Resolver } from '@nestjs/graphql';
import type { AttachmentInfo } from './attachment-info.js';
import { Attachment } from './attachment.entity.js';
import { fileUrl } from './attachment.view.js';

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
