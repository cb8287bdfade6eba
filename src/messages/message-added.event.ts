/**
 * The message events on Channels.user(id) of every participant: `messageAdded` for a new message
 * and `messageChanged` for an edit, a deletion or changed reactions, each with the finished
 * message, so delivering it to any number of subscribers runs no query. One payload serves both
 * messageAdded and conversationEvents. Its wire form is plain JSON with dates as ISO strings;
 * encode and decode are the only places that know it, so nothing guesses a date from a field's
 * name. Decoded once per distinct payload (see MessageEvents).
 */
import type { AttachmentInfo } from '../attachments/attachment-info.js';
import type { User } from '../users/user.entity.js';
import { decodeUser, encodeUser, type UserWire } from '../users/user.wire.js';
import { MessageChange, type Message } from './message.entity.js';
import type { MessageWithDetails, ReactionSummary, ReplyPreview } from './message-with-details.js';

interface MessageRowWire {
  id: string;
  conversationId: string;
  seq: number;
  senderId: string;
  text: string;
  clientMessageId: string | null;
  createdAt: string;
  eventSeq: number;
  lastChange: MessageChange;
  editedAt: string | null;
  deletedAt: string | null;
  replyToId: string | null;
  mentionedUserIds: string[];
  sender: UserWire;
}

interface MessageWire extends MessageRowWire {
  attachments: AttachmentInfo[];
  reactions: ReactionSummary[];
  replyTo: MessageRowWire | null;
  mentions: UserWire[];
}

export interface MessageEventWire {
  type: 'messageAdded' | 'messageChanged';
  message: MessageWire;
}

const iso = (date: Date | null) => date?.toISOString() ?? null;
const date = (value: string | null) => (value === null ? null : new Date(value));

function encodeRow(message: Message & { sender: User }): MessageRowWire {
  return {
    id: message.id,
    conversationId: message.conversationId,
    seq: message.seq,
    senderId: message.senderId,
    text: message.text,
    clientMessageId: message.clientMessageId,
    createdAt: message.createdAt.toISOString(),
    eventSeq: message.eventSeq,
    lastChange: message.lastChange,
    editedAt: iso(message.editedAt),
    deletedAt: iso(message.deletedAt),
    replyToId: message.replyToId,
    mentionedUserIds: message.mentionedUserIds,
    sender: encodeUser(message.sender),
  };
}

function decodeRow(wire: MessageRowWire): ReplyPreview {
  return {
    ...wire,
    createdAt: new Date(wire.createdAt),
    editedAt: date(wire.editedAt),
    deletedAt: date(wire.deletedAt),
    sender: decodeUser(wire.sender),
  };
}

export function encodeMessageEvent(message: MessageWithDetails): MessageEventWire {
  return {
    type: message.lastChange === MessageChange.MESSAGE_CREATED ? 'messageAdded' : 'messageChanged',
    message: {
      ...encodeRow(message),
      attachments: message.attachments.map(({ id, fileName, contentType, size }) => ({
        id,
        fileName,
        contentType,
        size,
      })),
      reactions: message.reactions,
      replyTo: message.replyTo && encodeRow(message.replyTo),
      mentions: message.mentions.map(encodeUser),
    },
  };
}

/** The message of a message event, or undefined for any other payload on the channel. */
export function decodeMessageEvent(payload: unknown): MessageWithDetails | undefined {
  const event = payload as Partial<MessageEventWire> | null;
  if ((event?.type !== 'messageAdded' && event?.type !== 'messageChanged') || !event.message) {
    return undefined;
  }
  const { attachments, reactions, replyTo, mentions, ...row } = event.message;
  return {
    ...decodeRow(row),
    attachments,
    reactions,
    replyTo: replyTo && decodeRow(replyTo),
    mentions: mentions.map(decodeUser),
  };
}
