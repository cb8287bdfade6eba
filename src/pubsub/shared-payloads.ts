/**
 * Decoding of Redis payloads for the subscriber connection. Channels are per user, so a message to
 * a group is published once per member, and an instance receives the same bytes once per member
 * connected to it, back to back. Decoding each distinct payload once (JSON.parse with a reviver
 * was the largest self-time function of the 1,000-member fan-out profile, once per member) and
 * giving every channel the same object also lets GraphQL compute a subscription's result once
 * per event (see shared-subscribe.ts).
 *
 * Payloads are therefore shared between handlers: treat them as read-only.
 */
import type { PubSubRedisOptions } from 'graphql-redis-subscriptions';

type Deserializer = NonNullable<PubSubRedisOptions['deserializer']>;
type Reviver = (key: string, value: unknown) => unknown;

/** Remembers the last `size` distinct payloads; a repeat returns the object decoded before. */
export function sharedDeserializer(reviver: Reviver, size = 8): Deserializer {
  const recent: { raw: Buffer; value: unknown }[] = [];
  let next = 0;
  return (source) => {
    const raw = typeof source === 'string' ? Buffer.from(source) : source;
    for (const entry of recent) {
      if (entry.raw.length === raw.length && entry.raw.equals(raw)) return entry.value;
    }
    // Invalid JSON throws here; graphql-redis-subscriptions then hands on the raw text, as before.
    const value = JSON.parse(raw.toString(), reviver) as unknown;
    recent[next] = { raw, value };
    next = (next + 1) % size;
    return value;
  };
}
