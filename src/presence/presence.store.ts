/**
 * Where presence lives: each user's claims (one per open connection, each with an expiry), the
 * status last announced, and the sweep that turns expired claims into OFFLINE. Two
 * implementations: Redis (shared by every instance) and in memory (one instance, no REDIS_URL).
 * Every status change is published on the user's presence channel by the store itself, in the
 * same step that makes it, so watchers hear changes in the order they happened.
 */

/** One connection's (or one heartbeat's) claim that its user is online. */
export interface Claim {
  userId: string;
  claimId: string;
}

/** A claim given up, and when its connection closed (the user's last-seen time if it was last). */
export interface Release extends Claim {
  closedAt: Date;
}

/** The status last announced for a user. */
export interface StoredPresence {
  online: boolean;
  lastSeenAt: Date | null;
}

export interface OfflineTransition {
  userId: string;
  lastSeenAt: Date;
}

export interface PresenceTimings {
  ttlMs: number;
  graceMs: number;
}

/** What goes out on `Channels.presence(userId)` (see presence-changed.event.ts). */
export type { PresenceEvent } from './presence-changed.event.js';

export abstract class PresenceStore {
  /**
   * Claims (or renews) each claim for one TTL; returns the users announced ONLINE. A user whose
   * status is OFFLINE is announced; one with no status at all (Redis lost its data) is announced
   * only when `announceUnknown` (a connection opening), and otherwise restored silently (a renewal:
   * nobody was ever told OFFLINE).
   */
  abstract claim(claims: readonly Claim[], announceUnknown: boolean): Promise<string[]>;

  /**
   * Drops claims (a turn's closed connections together). Per release, true when it was the
   * user's last: the user then stays ONLINE through the grace period, after which a sweep
   * announces OFFLINE unless a claim came back meanwhile.
   */
  abstract releaseAll(releases: readonly Release[]): Promise<boolean[]>;

  /**
   * Announces OFFLINE every user whose claims have all expired (or whose grace has passed). Safe to
   * run on every instance at once: each change is made, and published, by exactly one caller.
   */
  abstract sweep(): Promise<OfflineTransition[]>;

  /** The announced status of each user; users the store knows nothing of are left out. */
  abstract read(userIds: readonly string[]): Promise<Map<string, StoredPresence>>;
}
