import { MessageType, stringifyMessage } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import { nextFrame, shareResult } from './shared-frames.js';

/** graphql-ws's own `next` frame for a result. */
const ownFrame = (id: string, payload: object) =>
  stringifyMessage({ id, type: MessageType.Next, payload });

describe('shared frames', () => {
  const result = { data: { messageAdded: { text: 'héllo "quoted" 😀 \u2028', seq: 7 } } };

  it('gives every subscriber the bytes its own frame would have had', () => {
    const shared = { ...result };
    shareResult(shared);
    for (const id of ['s', 'a-b', 'with "quotes" and \\ and 😀', '"payload":{}}']) {
      const frame = nextFrame(id, shared);
      expect(Buffer.isBuffer(frame)).toBe(true);
      expect(frame.toString()).toBe(ownFrame(id, result));
      expect(JSON.parse(frame.toString())).toEqual({ id, type: 'next', payload: result });
    }
  });

  it('encodes results not shared, and results with errors, per frame', () => {
    const own = { ...result };
    expect(nextFrame('a', own)).toBe(ownFrame('a', result));
    const failed = { data: null, errors: [{ message: 'no' }] };
    shareResult(failed as never);
    expect(nextFrame('b', failed as never)).toBe(ownFrame('b', failed));
  });
});
