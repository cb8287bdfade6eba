/**
 * The `conversationUpdated` event on Channels.user(id) of every member: the conversation's row
 * after its title or avatar changed, published after commit. Dates as ISO strings; encode and
 * decode are the only places that know the wire form.
 */
import type { Conversation } from './conversation.entity.js';

interface ConversationWire {
  id: string;
  title: string | null;
  isDirect: boolean;
  createdAt: string;
  lastMessageAt: string | null;
  lastSeq: number;
  lastEventSeq: number;
  eventSeq: number;
  avatarAttachmentId: string | null;
}

export interface ConversationUpdatedWire {
  type: 'conversationUpdated';
  conversation: ConversationWire;
}

export function encodeConversationUpdated(c: Conversation): ConversationUpdatedWire {
  return {
    type: 'conversationUpdated',
    conversation: {
      id: c.id,
      title: c.title,
      isDirect: c.isDirect,
      createdAt: c.createdAt.toISOString(),
      lastMessageAt: c.lastMessageAt?.toISOString() ?? null,
      lastSeq: c.lastSeq,
      lastEventSeq: c.lastEventSeq,
      eventSeq: c.eventSeq,
      avatarAttachmentId: c.avatarAttachmentId,
    },
  };
}

/** The conversation, or undefined for any other payload on the channel. */
export function decodeConversationUpdated(payload: unknown): Conversation | undefined {
  const event = payload as Partial<ConversationUpdatedWire> | null;
  if (event?.type !== 'conversationUpdated' || !event.conversation) return undefined;
  const c = event.conversation;
  return {
    ...c,
    directKey: null,
    createdAt: new Date(c.createdAt),
    lastMessageAt: c.lastMessageAt === null ? null : new Date(c.lastMessageAt),
  };
}
