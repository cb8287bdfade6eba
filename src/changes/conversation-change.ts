/**
 * What the change stream delivers: one conversation's change with its eventSeq, in one of three
 * kinds (a message, a membership, the conversation's own title or avatar), each with the
 * current state of what changed. Live ones come from the event payloads, replays from the rows.
 */
import type { Conversation } from '../conversations/conversation.entity.js';
import type { MemberEvent } from '../conversations/membership-changed.event.js';
import type { MessageChange } from '../messages/message.entity.js';
import type { MessageWithDetails } from '../messages/message-with-details.js';

export interface MessageChangeEvent {
  kind: 'message';
  conversationId: string;
  eventSeq: number;
  change: MessageChange;
  message: MessageWithDetails;
}

export interface ConversationUpdatedEvent {
  kind: 'conversation';
  conversationId: string;
  eventSeq: number;
  change: 'CONVERSATION_UPDATED';
  conversation: Conversation;
}

export type ConversationChangeEvent = MessageChangeEvent | MemberEvent | ConversationUpdatedEvent;

/**
 * The event of a message, one object per message object: every local subscriber of one payload
 * gets the same event (shared-subscribe.ts executes it once for all of them).
 */
const messageEvents = new WeakMap<MessageWithDetails, MessageChangeEvent>();

export function messageEventOf(message: MessageWithDetails): MessageChangeEvent {
  let event = messageEvents.get(message);
  if (!event) {
    event = {
      kind: 'message',
      conversationId: message.conversationId,
      eventSeq: message.eventSeq,
      change: message.lastChange,
      message,
    };
    messageEvents.set(message, event);
  }
  return event;
}

const updatedEvents = new WeakMap<Conversation, ConversationUpdatedEvent>();

export function conversationUpdatedEventOf(conversation: Conversation): ConversationUpdatedEvent {
  let event = updatedEvents.get(conversation);
  if (!event) {
    event = {
      kind: 'conversation',
      conversationId: conversation.id,
      eventSeq: conversation.eventSeq,
      change: 'CONVERSATION_UPDATED',
      conversation,
    };
    updatedEvents.set(conversation, event);
  }
  return event;
}
