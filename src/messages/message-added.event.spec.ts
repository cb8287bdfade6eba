import { describe, expect, it } from 'vitest';
import type { User } from '../users/user.entity.js';
import { decodeMessageAdded, encodeMessageAdded } from './message-added.event.js';
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
  attachments: [{ id: 'a1', fileName: 'x.png', contentType: 'image/png', size: 3 }],
};

describe('the messageAdded codec', () => {
  it('survives JSON: dates come back as dates, by the codec, not by field names', () => {
    const wire = JSON.parse(JSON.stringify(encodeMessageAdded(message))) as unknown;
    const { passwordHash: _hash, ...publicSender } = sender;
    expect(decodeMessageAdded(wire)).toEqual({ ...message, sender: publicSender });
  });

  it('never puts the password hash on the wire', () => {
    expect(JSON.stringify(encodeMessageAdded(message))).not.toContain('argon2id-secret');
  });

  it('keeps a null lastSeenAt null', () => {
    const wire = encodeMessageAdded({ ...message, sender: { ...sender, lastSeenAt: null } });
    expect(decodeMessageAdded(JSON.parse(JSON.stringify(wire)))?.sender.lastSeenAt).toBeNull();
  });

  it('ignores other payloads on the user channel', () => {
    expect(decodeMessageAdded({ type: 'membershipChanged', conversationId: 'c1' })).toBeUndefined();
    expect(decodeMessageAdded(null)).toBeUndefined();
  });
});
