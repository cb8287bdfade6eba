/**
 * A message with everything it shows at hand: sender, attachments, reactions, the message it
 * replies to and the users it mentions. What a send or a change returns, what a message event
 * carries, and what REST answers and replays are built from. A new object beside the entity
 * (never the entity filled in), so a Message read from the database stays what it is.
 */
import type { AttachmentInfo } from '../attachments/attachment-info.js';
import type { User } from '../users/user.entity.js';
import type { Message } from './message.entity.js';

/** One emoji on a message: every user who reacted with it, in the order they did. */
export interface ReactionSummary {
  emoji: string;
  userIds: string[];
}

/** The replied-to message as it is now (a tombstone once deleted), with its sender. */
export type ReplyPreview = Message & { sender: User };

export interface MessageDetails {
  sender: User;
  attachments: AttachmentInfo[];
  /** In the order each emoji was first used. */
  reactions: ReactionSummary[];
  replyTo: ReplyPreview | null;
  mentions: User[];
}

export type MessageWithDetails = Message & MessageDetails;

export function withDetails(message: Message, details: MessageDetails): MessageWithDetails {
  return { ...message, ...details };
}

/** Whether the message already carries its details (a send, an event, a replay). */
export function hasDetails(message: Message): message is MessageWithDetails {
  return 'reactions' in message && 'attachments' in message;
}

/** Whether the sender is at hand (every message with details, and a reply preview). */
export function hasSender(message: Message): message is Message & { sender: User } {
  return 'sender' in message;
}
