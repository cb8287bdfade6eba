import { describe, expect, it } from 'vitest';
import { reviveDates } from './pubsub.module.js';
import { sharedDeserializer } from './shared-payloads.js';

const context = { channel: 'c', pattern: undefined } as never;

describe('sharedDeserializer', () => {
  it('decodes equal bytes once and hands every channel the same object', () => {
    const decode = sharedDeserializer(reviveDates);
    const json = JSON.stringify({ message: { id: 'm1', createdAt: '2026-01-02T03:04:05.000Z' } });
    const first = decode(Buffer.from(json), context) as { message: { createdAt: Date } };
    expect(first.message.createdAt).toBeInstanceOf(Date);
    expect(decode(Buffer.from(json), context)).toBe(first);
    expect(decode(json, context)).toBe(first);
  });

  it('decodes different bytes apart, and forgets the oldest beyond its size', () => {
    const decode = sharedDeserializer(reviveDates, 2);
    const a = decode(Buffer.from('{"a":1}'), context);
    const b = decode(Buffer.from('{"a":2}'), context);
    expect(b).not.toBe(a);
    expect(b).toEqual({ a: 2 });
    decode(Buffer.from('{"a":3}'), context);
    expect(decode(Buffer.from('{"a":1}'), context)).not.toBe(a);
  });

  it('throws on invalid JSON (the pub/sub then passes the raw text on)', () => {
    expect(() => sharedDeserializer(reviveDates)(Buffer.from('{oops'), context)).toThrow();
  });
});
