import { describe, expect, it } from 'vitest';
import type { User } from '../users/user.entity.js';
import { decodeMessageEvent, encodeMessageEvent } from './message-added.event.js';
import { MessageChange } from './message.entity.js';
import type { MessageWithDetails } from './message-with-details.js';

const sender: User = {
  id: 'u1',
  username: 'alice',
  displayName: 'Alice',
  avatarUrl: null,
  createdAt: new Date('2026-01-01T00:00:00.000Z'),
  lastSeenAt: new Date('2026-01-02T00:00:00.000Z'),
  passwordHash: 'argon2id-secret',
};
const message: MessageWithDetails = {
  id: 'm1',
  conversationId: 'c1',
  seq: 7,
  senderId: 'u1',
  text: 'hello',
  clientMessageId: null,
  createdAt: new Date('2026-01-03T04:05:06.789Z'),
  sender,
  eventSeq: 9,
  lastChange: MessageChange.MESSAGE_EDITED,
  editedAt: new Date('2026-01-03T05:00:00.000Z'),
  deletedAt: null,
  replyToId: 'm0',
  mentionedUserIds: ['u2'],
  attachments: [{ id: 'a1', fileName: 'x.png', contentType: 'image/png', size: 3 }],
  reactions: [{ emoji: '👍🏽', userIds: ['u2', 'u1'] }],
  replyTo: {
    id: 'm0',
    conversationId: 'c1',
    seq: 6,
    senderId: 'u1',
    text: '',
    clientMessageId: null,
    createdAt: new Date('2026-01-03T04:00:00.000Z'),
    eventSeq: 8,
    lastChange: MessageChange.MESSAGE_DELETED,
    editedAt: null,
    deletedAt: new Date('2026-01-03T04:30:00.000Z'),
    replyToId: null,
    mentionedUserIds: [],
    sender,
  },
  mentions: [{ ...sender, id: 'u2', username: 'bob', lastSeenAt: null }],
};

describe('the message event codec', () => {
  it('survives JSON: dates come back as dates, by the codec, not by field names', () => {
    const wire = JSON.parse(JSON.stringify(encodeMessageEvent(message))) as unknown;
    const { passwordHash: _hash, ...publicSender } = sender;
    const { passwordHash: _h2, ...publicBob } = message.mentions[0];
    expect(decodeMessageEvent(wire)).toEqual({
      ...message,
      sender: publicSender,
      replyTo: { ...message.replyTo, sender: publicSender },
      mentions: [publicBob],
    });
  });

  it('never puts the password hash on the wire', () => {
    expect(JSON.stringify(encodeMessageEvent(message))).not.toContain('argon2id-secret');
  });

  it('keeps a null lastSeenAt null', () => {
    const wire = encodeMessageEvent({ ...message, sender: { ...sender, lastSeenAt: null } });
    expect(decodeMessageEvent(JSON.parse(JSON.stringify(wire)))?.sender.lastSeenAt).toBeNull();
  });

  it('names a new message messageAdded and any later change messageChanged', () => {
    expect(encodeMessageEvent(message).type).toBe('messageChanged');
    expect(encodeMessageEvent({ ...message, lastChange: MessageChange.MESSAGE_CREATED }).type).toBe(
      'messageAdded',
    );
  });

  it('ignores other payloads on the user channel', () => {
    expect(decodeMessageEvent({ type: 'membershipChanged', conversationId: 'c1' })).toBeUndefined();
    expect(decodeMessageEvent(null)).toBeUndefined();
  });
});
