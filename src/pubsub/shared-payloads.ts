/**
 * Payloads shared by every local subscriber. Channels are per user, so a message to a group is
 * published once per member, and an instance receives the same bytes once per member connected
 * to it, back to back. Decoding each distinct payload once and giving every handler the same
 * object lets GraphQL compute a subscription's result once per event (see shared-subscribe.ts).
 * Profile figures: bench/README.md, "Profiling notes behind the code".
 *
 * Payloads are therefore shared between handlers: treat them as read-only.
 */
/** Bytes heard on a channel to the payload its handlers get (the second argument is unused). */
export type Deserializer = (source: Buffer | string, context?: unknown) => unknown;

/** JSON of the subscriber connection; a repeat of one of the last `size` returns the same object. */
export function sharedDeserializer(size = 8): Deserializer {
  const recent: { raw: Buffer; value: unknown }[] = [];
  let next = 0;
  return (source) => {
    const raw = typeof source === 'string' ? Buffer.from(source) : source;
    for (const entry of recent) {
      if (entry.raw.length === raw.length && entry.raw.equals(raw)) return entry.value;
    }
    // Invalid JSON throws here; the pub/sub drops the payload (nothing of ours publishes it).
    const value = JSON.parse(raw.toString()) as unknown;
    recent[next] = { raw, value };
    next = (next + 1) % size;
    return value;
  };
}

/**
 * An event codec's decode, run once per payload object: every handler given the same payload
 * (the deserializer above, or the in-process PubSub) gets the same decoded value.
 */
export function decodedOnce<T>(decode: (payload: unknown) => T): (payload: unknown) => T {
  const decoded = new WeakMap<object, T>();
  return (payload) => {
    if (typeof payload !== 'object' || payload === null) return decode(payload);
    if (decoded.has(payload)) return decoded.get(payload)!;
    const value = decode(payload);
    decoded.set(payload, value);
    return value;
  };
}
