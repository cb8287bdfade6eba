/** The JSON shape of an attachment in REST answers (the same fields as GraphQL's). */
import type { AttachmentInfo } from './attachment.entity.js';

export interface AttachmentView {
  id: string;
  fileName: string;
  contentType: string;
  size: number;
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
