/** The JSON shape of a message in REST answers (the same fields as GraphQL's MessageFields). */
import { toAttachmentView, type AttachmentView } from '../attachments/attachment.view.js';
import { toUserView, type UserView } from '../users/user.view.js';
import type { Message } from './message.entity.js';

export interface MessageView {
  id: string;
  conversationId: string;
  seq: number;
  text: string;
  clientMessageId: string | null;
  createdAt: Date;
  sender: UserView | null;
  attachments: AttachmentView[];
}

export function toMessageView(message: Message): MessageView {
  return {
    id: message.id,
    conversationId: message.conversationId,
    seq: message.seq,
    text: message.text,
    clientMessageId: message.clientMessageId,
    createdAt: message.createdAt,
    sender: message.sender ? toUserView(message.sender) : null,
    attachments: (message.attachments ?? []).map(toAttachmentView),
  };
}
