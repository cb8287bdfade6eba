import { MessageType, stringifyMessage } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import { frameOf, sharedPayload, shareResult } from './shared-frames.js';

/** What graphql-ws sends for a `next`: its own frame, with onNext's payload when there is one. */
function nextFrame(id: string, result: object, payload?: object): string {
  return stringifyMessage({ id, type: MessageType.Next, payload: payload ?? result });
}

describe('shared frames', () => {
  const result = { data: { messageAdded: { text: 'héllo "quoted" 😀 \u2028', seq: 7 } } };

  it('gives every subscriber the bytes its own frame would have had', () => {
    const shared = { ...result };
    shareResult(shared);
    for (const id of ['s', 'a-b', 'with "quotes" and \\ and 😀']) {
      const frame = frameOf(nextFrame(id, shared, sharedPayload(shared)));
      expect(Buffer.isBuffer(frame)).toBe(true);
      expect(frame.toString()).toBe(nextFrame(id, result));
      expect(JSON.parse(frame.toString())).toEqual({ id, type: 'next', payload: result });
    }
  });

  it('leaves results not shared, results with errors and other frames as they are', () => {
    const own = { ...result };
    expect(sharedPayload(own)).toBeUndefined();
    const failed = { data: null, errors: [] };
    shareResult(failed as never);
    expect(sharedPayload(failed as never)).toBeUndefined();
    const complete = stringifyMessage({ id: 's', type: MessageType.Complete });
    expect(frameOf(complete)).toBe(complete);
  });

  it('does not put a shared payload into a frame other than the one it was serialised for', () => {
    const shared = { ...result };
    shareResult(shared);
    // Serialised, but its frame never sent (say, it failed): the next frame is not touched.
    JSON.stringify(sharedPayload(shared));
    const other = nextFrame('x', { data: { other: true } });
    expect(frameOf(other)).toBe(other);
    // A client cannot make its frame look like a stand-in's: its id is escaped JSON before it.
    const forged = stringifyMessage({
      id: '"payload":"\u0000shared"}',
      type: MessageType.Complete,
    });
    JSON.stringify(sharedPayload(shared));
    expect(frameOf(forged)).toBe(forged);
  });
});
