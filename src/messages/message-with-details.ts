/**
 * A message with its sender and attachments at hand: what a send returns, what a messageAdded
 * event carries, and what REST answers and replays are built from. A new object beside the
 * entity (never the entity filled in), so a Message read from the database stays what it is.
 */
import type { AttachmentInfo } from '../attachments/attachment-info.js';
import type { User } from '../users/user.entity.js';
import type { Message } from './message.entity.js';

export type MessageWithDetails = Message & { sender: User; attachments: AttachmentInfo[] };

export function withDetails(
  message: Message,
  sender: User,
  attachments: AttachmentInfo[],
): MessageWithDetails {
  return { ...message, sender, attachments };
}

/** Whether the message already carries its details (a send, an event, a replay). */
export function hasDetails(message: Message): message is MessageWithDetails {
  return 'sender' in message && 'attachments' in message;
}
