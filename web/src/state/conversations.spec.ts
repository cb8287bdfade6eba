/** The list's live rules: each change once (by lastEventSeq), unread counted unless being read. */
import { describe, expect, it } from 'vitest';
import type { ConversationEventFieldsFragment } from '../gql/graphql';
import { applyEvent, type ConversationItem } from './conversations';
import type { Message } from './feed';
import { storedMessage } from './message.fixture';

const me = { id: 'me', username: 'me', displayName: 'Me', avatarUrl: null };
const bob = { id: 'bob', username: 'bob', displayName: 'Bob', avatarUrl: null };

const message = (seq: number, sender = bob, change: Partial<Message> = {}): Message =>
  storedMessage(seq, { sender, ...change });

function conversation(id: string, lastEventSeq: number, change: Partial<ConversationItem> = {}) {
  return {
    id,
    title: null,
    avatarUrl: null,
    isDirect: true,
    lastMessageAt: null,
    lastEventSeq,
    unreadCount: 0,
    unreadMentionCount: 0,
    lastReadSeq: 0,
    muted: false,
    participants: [],
    lastMessage: null,
    ...change,
  } as ConversationItem;
}

function messageEvent(
  eventSeq: number,
  m: Message,
  change: 'MESSAGE_CREATED' | 'MESSAGE_EDITED' | 'MESSAGE_DELETED' = 'MESSAGE_CREATED',
): ConversationEventFieldsFragment {
  return {
    __typename: 'MessageEvent',
    eventSeq,
    conversationId: m.conversationId,
    change,
    message: m,
  };
}

describe('applyEvent', () => {
  const list = [conversation('c0', 1), conversation('c1', 3)];

  it('moves a conversation up with its new message and counts it unread, once', () => {
    const once = applyEvent(list, messageEvent(4, message(1)), me.id, null);
    expect(once.items.map((c) => c.id)).toEqual(['c1', 'c0']);
    expect(once.items[0]).toMatchObject({ unreadCount: 1, lastEventSeq: 4 });
    expect(once.reload).toBe(false);
    // The same event again (a resend after a reconnect): nothing changes.
    expect(applyEvent(once.items, messageEvent(4, message(1)), me.id, null).items).toBe(once.items);
  });

  it('counts nothing in the conversation being read, nor the user’s own messages', () => {
    expect(applyEvent(list, messageEvent(4, message(1)), me.id, 'c1').items[0].unreadCount).toBe(0);
    const mine = applyEvent(list, messageEvent(4, message(1, me)), me.id, null).items[0];
    expect(mine).toMatchObject({ unreadCount: 0, lastReadSeq: 1 });
  });

  it('uncounts an unread message deleted, and shows the tombstone as the preview', () => {
    const one = applyEvent(list, messageEvent(4, message(1)), me.id, null).items;
    const tombstone = message(1, bob, { text: '', deletedAt: 'now', eventSeq: 5 });
    const after = applyEvent(one, messageEvent(5, tombstone, 'MESSAGE_DELETED'), me.id, null);
    expect(after.items[0]).toMatchObject({ unreadCount: 0, lastMessage: { deletedAt: 'now' } });
  });

  it('reloads for a conversation it does not hold, or after a gap in eventSeq', () => {
    const unknown = messageEvent(1, message(1, bob, { conversationId: 'c9' }));
    expect(applyEvent(list, unknown, me.id, null)).toMatchObject({ items: list, reload: true });
    expect(applyEvent(list, messageEvent(6, message(1)), me.id, null).reload).toBe(true);
  });

  it('drops a conversation the user left or was removed from', () => {
    const removed: ConversationEventFieldsFragment = {
      __typename: 'MemberEvent',
      eventSeq: 4,
      conversationId: 'c1',
      change: 'MEMBER_REMOVED',
      user: me,
      role: null,
      actor: { id: 'bob' },
    };
    expect(applyEvent(list, removed, me.id, null).items.map((c) => c.id)).toEqual(['c0']);
  });
});
