import { describe, expect, it } from 'vitest';
import { decodedOnce, sharedDeserializer } from './shared-payloads.js';

const context = { channel: 'c', pattern: undefined } as never;

describe('sharedDeserializer', () => {
  it('decodes equal bytes once and hands every channel the same object', () => {
    const decode = sharedDeserializer();
    const json = JSON.stringify({ message: { id: 'm1', createdAt: '2026-01-02T03:04:05.000Z' } });
    const first = decode(Buffer.from(json), context) as { message: { createdAt: unknown } };
    // Plain JSON: turning strings into dates is each event codec's business.
    expect(first.message.createdAt).toBe('2026-01-02T03:04:05.000Z');
    expect(decode(Buffer.from(json), context)).toBe(first);
    expect(decode(json, context)).toBe(first);
  });

  it('decodes different bytes apart, and forgets the oldest beyond its size', () => {
    const decode = sharedDeserializer(2);
    const a = decode(Buffer.from('{"a":1}'), context);
    const b = decode(Buffer.from('{"a":2}'), context);
    expect(b).not.toBe(a);
    expect(b).toEqual({ a: 2 });
    decode(Buffer.from('{"a":3}'), context);
    expect(decode(Buffer.from('{"a":1}'), context)).not.toBe(a);
  });

  it('throws on invalid JSON (the pub/sub then drops the payload)', () => {
    expect(() => sharedDeserializer()(Buffer.from('{oops'), context)).toThrow();
  });
});

describe('decodedOnce', () => {
  it('decodes one payload object once, and another apart', () => {
    let calls = 0;
    const decode = decodedOnce((payload) => ({ calls: ++calls, payload }));
    const payload = { a: 1 };
    const first = decode(payload);
    expect(decode(payload)).toBe(first);
    expect(calls).toBe(1);
    const other = decode({ a: 1 });
    expect(other).not.toBe(first);
    expect(calls).toBe(2);
  });
});
