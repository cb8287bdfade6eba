/**
 * One encoding per event, not per subscriber. graphql-ws builds each `next` frame with
 * JSON.stringify of the whole result, and ws then encodes that string to UTF-8 for each socket:
 * in the 1,000-member fan-out those two (stringifyMessage, writeUtf8String) were ~13% of an
 * instance's busy time, for bytes that are the same for every subscriber of the event but for
 * the subscription id (bench/README.md, "Round two, the send path (continued)").
 *
 * A result shared by several subscribers (shared-subscribe.ts marks it) is encoded to UTF-8 once;
 * graphql-ws is handed a stand-in payload that serialises as a token, and the frame it produces
 * (`{"id":…,"type":"next","payload":"<token>"}`) becomes its head, the shared bytes and `}` on
 * the way to the socket. graphql-ws still builds, validates and sends every frame itself.
 */
import type { ExecutionResult, FormattedExecutionResult } from 'graphql';

/** What the stand-in payload serialises as: a string, where a real payload is an object. */
const TOKEN = '\u0000shared';
const TAIL = `"payload":${JSON.stringify(TOKEN)}}`;
const HEAD_END = TAIL.length - '"payload":'.length;
const CLOSE = Buffer.from('}');

interface StandIn {
  toJSON(): string;
}

/** Results handed to more than one subscriber (or that may be), with their stand-in. */
const standIns = new WeakMap<object, StandIn>();
/**
 * The bytes of the stand-in serialised last. graphql-ws stringifies a frame and passes it to the
 * socket's send in one synchronous step, so the next frameOf call is that frame's.
 */
let pending: Buffer | undefined;

/** Marks a result as shared by subscribers: its frames reuse one encoding of it. */
export function shareResult(result: ExecutionResult): void {
  if (result.errors || standIns.has(result)) return;
  let bytes: Buffer | undefined;
  standIns.set(result, {
    toJSON: () => {
      pending = bytes ??= Buffer.from(JSON.stringify(result));
      return TOKEN;
    },
  });
}

/** graphql-ws's onNext: the stand-in of a shared result, else undefined (graphql-ws's own). */
export function sharedPayload(result: ExecutionResult): FormattedExecutionResult | undefined {
  // Typed as the payload it stands for: graphql-ws only serialises it.
  return standIns.get(result) as FormattedExecutionResult | undefined;
}

/** A frame on its way to a socket: with a shared result's bytes in place of its stand-in. */
export function frameOf(data: string): string | Buffer {
  const bytes = pending;
  pending = undefined;
  if (bytes === undefined || !data.endsWith(TAIL)) return data;
  const head = data.slice(0, data.length - HEAD_END);
  const headLength = Buffer.byteLength(head);
  const frame = Buffer.allocUnsafe(headLength + bytes.length + CLOSE.length);
  frame.write(head, 0);
  bytes.copy(frame, headLength);
  CLOSE.copy(frame, headLength + bytes.length);
  return frame;
}
