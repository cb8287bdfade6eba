/** A stored message for the state specs: seq `seq`, unchanged since it was sent, unless `change` says. */
import type { Message } from './feed';

const someone = { id: 'u0', username: 'someone', displayName: 'Someone', avatarUrl: null };

export function storedMessage(seq: number, change: Partial<Message> = {}): Message {
  return {
    id: `m${seq}`,
    conversationId: 'c1',
    seq,
    text: `text ${seq}`,
    clientMessageId: null,
    createdAt: new Date(seq * 1000).toISOString(),
    sender: someone,
    attachments: [],
    eventSeq: seq,
    editedAt: null,
    deletedAt: null,
    replyTo: null,
    mentions: [],
    reactions: [],
    ...change,
  };
}
