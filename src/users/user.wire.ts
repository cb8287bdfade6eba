/** A user as event payloads carry it: plain JSON, dates as ISO strings, no secrets. */
import type { User } from './user.entity.js';

export interface UserWire {
  id: string;
  username: string;
  displayName: string;
  avatarUrl: string | null;
  createdAt: string;
  lastSeenAt: string | null;
}

export function encodeUser(user: User): UserWire {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    avatarUrl: user.avatarUrl,
    createdAt: user.createdAt.toISOString(),
    lastSeenAt: user.lastSeenAt?.toISOString() ?? null,
  };
}

export function decodeUser(user: UserWire): User {
  return {
    ...user,
    createdAt: new Date(user.createdAt),
    lastSeenAt: user.lastSeenAt === null ? null : new Date(user.lastSeenAt),
  };
}
