/**
 * The `messageAdded` event on Channels.user(id) of every participant: the finished message, so
 * delivering it to any number of subscribers runs no query. Its wire form is plain JSON with
 * dates as ISO strings; encode and decode are the only places that know it, so nothing guesses a
 * date from a field's name. Decoded once per distinct payload (see MessageEvents).
 */
import type { AttachmentInfo } from '../attachments/attachment-info.js';
import type { User } from '../users/user.entity.js';
import type { MessageWithDetails } from './message-with-details.js';

interface UserWire {
  id: string;
  username: string;
  displayName: string;
  avatarUrl: string | null;
  createdAt: string;
  lastSeenAt: string | null;
}

interface MessageWire {
  id: string;
  conversationId: string;
  seq: number;
  senderId: string;
  text: string;
  clientMessageId: string | null;
  createdAt: string;
  sender: UserWire;
  attachments: AttachmentInfo[];
}

export interface MessageAddedEvent {
  type: 'messageAdded';
  message: MessageWire;
}

export function encodeMessageAdded(message: MessageWithDetails): MessageAddedEvent {
  const { sender } = message;
  return {
    type: 'messageAdded',
    message: {
      id: message.id,
      conversationId: message.conversationId,
      seq: message.seq,
      senderId: message.senderId,
      text: message.text,
      clientMessageId: message.clientMessageId,
      createdAt: message.createdAt.toISOString(),
      sender: {
        id: sender.id,
        username: sender.username,
        displayName: sender.displayName,
        avatarUrl: sender.avatarUrl,
        createdAt: sender.createdAt.toISOString(),
        lastSeenAt: sender.lastSeenAt?.toISOString() ?? null,
      },
      attachments: message.attachments.map(({ id, fileName, contentType, size }) => ({
        id,
        fileName,
        contentType,
        size,
      })),
    },
  };
}

/** The message of a messageAdded event, or undefined for any other payload on the channel. */
export function decodeMessageAdded(payload: unknown): MessageWithDetails | undefined {
  const event = payload as Partial<MessageAddedEvent> | null;
  if (event?.type !== 'messageAdded' || !event.message) return undefined;
  const { sender, ...message } = event.message;
  const user: User = {
    ...sender,
    createdAt: new Date(sender.createdAt),
    lastSeenAt: sender.lastSeenAt === null ? null : new Date(sender.lastSeenAt),
  };
  return { ...message, createdAt: new Date(message.createdAt), sender: user };
}
