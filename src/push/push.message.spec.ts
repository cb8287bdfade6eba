import { describe, expect, it } from 'vitest';
import { messageOf } from './push.message.js';

const context = {
  userId: '5b0c7f4e-0000-4000-8000-000000000001',
  messageId: '5b0c7f4e-0000-4000-8000-000000000002',
  conversationId: '9f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0',
  seq: 7,
  senderName: 'Alice',
  isDirect: true,
  eligible: true,
};

describe('messageOf', () => {
  it('cuts the text to 100 code points (never half a surrogate pair), with a day of TTL', () => {
    const text = `${'a'.repeat(99)}👩‍💻 and more`;
    const message = messageOf({ ...context, text });
    const payload = JSON.parse(message.payload) as Record<string, unknown>;
    expect(payload).toEqual({
      conversationId: context.conversationId,
      messageId: context.messageId,
      seq: 7,
      senderName: 'Alice',
      text: `${'a'.repeat(99)}👩`,
    });
    expect(message.ttlSeconds).toBe(86_400);
  });

  it('uses the conversation as the topic (32 base64url characters), urgency by kind', () => {
    const direct = messageOf({ ...context, text: 'hi' });
    expect(direct.topic).toBe('9f1e2d3c4b5a49688776a5b4c3d2e1f0');
    expect(direct.topic).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
    expect(direct.urgency).toBe('high');
    expect(messageOf({ ...context, text: 'hi', isDirect: false }).urgency).toBe('normal');
  });
});
