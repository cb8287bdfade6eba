/** The JSON shape of an attachment in REST answers (the same fields as GraphQL's). */
import { ApiProperty } from '@nestjs/swagger';
import type { AttachmentInfo } from './attachment-info.js';

export class AttachmentView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ description: 'Sanitised: no path, no control characters, at most 255 bytes.' })
  fileName: string;

  @ApiProperty({ description: 'Decided from the bytes, not from what the client said.' })
  contentType: string;

  @ApiProperty({ description: 'Bytes.' })
  size: number;

  @ApiProperty({ description: 'GET it with the same bearer token; relative to the API origin.' })
  url: string;
}

/**
 * Where an attachment is downloaded: relative to the API's origin, so the same answer is right
 * behind any host name, proxy or load balancer; clients resolve it against the URL they call.
 */
export function fileUrl(attachmentId: string): string {
  return `/files/${attachmentId}`;
}

export function toAttachmentView(attachment: AttachmentInfo): AttachmentView {
  return {
    id: attachment.id,
    fileName: attachment.fileName,
    contentType: attachment.contentType,
    size: attachment.size,
    url: fileUrl(attachment.id),
  };
}
