/**
 * One encoding per event, not per subscriber. Building each `next` frame with JSON.stringify of
 * the whole result, and ws encoding that string to UTF-8 for each socket, were ~13% of an
 * instance's busy time in the 1,000-member fan-out, for bytes that are the same for every
 * subscriber of the event but for the subscription id (bench/README.md, "Round two, the send
 * path (continued)").
 *
 * A result shared by several subscribers (shared-subscribe.ts marks it) is encoded to UTF-8 once,
 * when its first frame is built; each socket's frame is `{"id":…,"type":"next","payload":` (the
 * only part of its own), those bytes and `}`: what stringifyMessage would have produced.
 */
import type { ExecutionResult } from 'graphql';
import { MessageType, stringifyMessage } from 'graphql-ws';

/** Shared results → their encoding once made (null: not encoded yet). */
const encodings = new WeakMap<object, Buffer | null>();
const CLOSE = Buffer.from('}');

/** Marks a result as shared by subscribers: its frames reuse one encoding of it. */
export function shareResult(result: ExecutionResult): void {
  if (result.errors || encodings.has(result)) return;
  encodings.set(result, null);
}

/**
 * The `next` frame of subscription `id` carrying `payload`: for a shared result, its one encoding
 * behind this frame's head; otherwise stringifyMessage's own frame.
 */
export function nextFrame(id: string, payload: ExecutionResult): string | Buffer {
  let bytes = encodings.get(payload);
  if (bytes === undefined) return stringifyMessage({ id, type: MessageType.Next, payload });
  if (bytes === null) encodings.set(payload, (bytes = Buffer.from(JSON.stringify(payload))));
  // The key order stringifyMessage gives ({id, type, payload}); the id escaped as JSON.
  const head = `{"id":${JSON.stringify(id)},"type":"${MessageType.Next}","payload":`;
  const headLength = Buffer.byteLength(head);
  const frame = Buffer.allocUnsafe(headLength + bytes.length + CLOSE.length);
  frame.write(head, 0);
  bytes.copy(frame, headLength);
  CLOSE.copy(frame, headLength + bytes.length);
  return frame;
}
