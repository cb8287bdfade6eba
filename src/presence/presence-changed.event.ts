/**
 * A status change on Channels.presence(userId), published by the store in the step that makes it
 * (the Redis scripts encode it in Lua, the memory store here). lastSeenAt is epoch ms on the
 * wire; decode is the one place that turns it into the GraphQL Presence.
 */
import type { Presence, PresenceStatus } from './presence.type.js';

export interface PresenceEvent {
  userId: string;
  status: PresenceStatus;
  /** Epoch ms; null while ONLINE. */
  lastSeenAt: number | null;
}

export function encodePresenceChanged(
  userId: string,
  status: PresenceStatus,
  lastSeenAt: number | null,
): PresenceEvent {
  return { userId, status, lastSeenAt };
}

export function decodePresenceChanged(event: PresenceEvent): Presence {
  return {
    userId: event.userId,
    status: event.status,
    lastSeenAt: event.lastSeenAt === null ? null : new Date(event.lastSeenAt),
  };
}
