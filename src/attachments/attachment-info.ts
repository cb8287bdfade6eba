/** What messages carry of their attachments (in events, REST answers and GraphQL). */
export interface AttachmentInfo {
  id: string;
  fileName: string;
  contentType: string;
  size: number;
}
