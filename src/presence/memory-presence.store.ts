/**
 * Presence in this process, for a single instance without Redis: the same rules as the Redis
 * scripts (claims with expiries, a grace period after the last release, a sweep), kept in maps.
 * Changes are published on the in-process bus synchronously, so they are heard in order.
 */
import type { Channels } from '../pubsub/channels.js';
import type { EventBus } from '../pubsub/event-bus.js';
import { encodePresenceChanged, type PresenceEvent } from './presence-changed.event.js';
import { PresenceStatus } from './presence.type.js';
import {
  PresenceStore,
  type Claim,
  type OfflineTransition,
  type PresenceTimings,
  type Release,
  type StoredPresence,
} from './presence.store.js';

interface State {
  online: boolean;
  seen: number | null;
  /** When the last claim was released, while in the grace period. */
  closed: number | null;
}

export class MemoryPresenceStore extends PresenceStore {
  /** userId → claimId → expiry (ms). */
  private readonly claims = new Map<string, Map<string, number>>();
  /** userId → when the sweep must look at the user. */
  private readonly due = new Map<string, number>();
  private readonly states = new Map<string, State>();

  constructor(
    private readonly bus: EventBus,
    private readonly channels: Channels,
    private readonly timings: PresenceTimings,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  async claim(claims: readonly Claim[], announceUnknown: boolean): Promise<string[]> {
    const now = this.now();
    const expiry = now + this.timings.ttlMs;
    const announced: string[] = [];
    for (const { userId, claimId } of claims) {
      const own = this.liveClaims(userId, now);
      own.set(claimId, expiry);
      this.claims.set(userId, own);
      this.due.set(userId, Math.max(this.due.get(userId) ?? 0, expiry));
      const state = this.states.get(userId);
      if (state?.online) {
        state.closed = null;
        continue;
      }
      this.states.set(userId, { online: true, seen: state?.seen ?? null, closed: null });
      if (state || announceUnknown) {
        announced.push(userId);
        await this.publish(encodePresenceChanged(userId, PresenceStatus.ONLINE, null));
      }
    }
    return announced;
  }

  releaseAll(releases: readonly Release[]): Promise<boolean[]> {
    return Promise.resolve(releases.map((r) => this.releaseOne(r)));
  }

  private releaseOne({ userId, claimId, closedAt }: Release): boolean {
    const now = this.now();
    const own = this.liveClaims(userId, now);
    own.delete(claimId);
    if (own.size > 0) {
      this.due.set(userId, Math.max(...own.values()));
      return false;
    }
    this.claims.delete(userId);
    const state = this.states.get(userId);
    if (state && !state.online) return false;
    this.states.set(userId, {
      online: true,
      seen: state?.seen ?? null,
      closed: closedAt.getTime(),
    });
    this.due.set(userId, now + this.timings.graceMs);
    return true;
  }

  async sweep(): Promise<OfflineTransition[]> {
    const now = this.now();
    const transitions: OfflineTransition[] = [];
    for (const [userId, at] of this.due) {
      if (at > now) continue;
      const own = this.claims.get(userId);
      const latest = own && own.size > 0 ? Math.max(...own.values()) : null;
      if (latest !== null && latest > now) {
        this.due.set(userId, latest);
        continue;
      }
      this.claims.delete(userId);
      this.due.delete(userId);
      const state = this.states.get(userId);
      if (!state?.online) continue;
      // Closed: when the last connection closed. Expired: its last renewal.
      const seen = state.closed ?? (latest ?? at) - this.timings.ttlMs;
      this.states.set(userId, { online: false, seen, closed: null });
      transitions.push({ userId, lastSeenAt: new Date(seen) });
      await this.publish(encodePresenceChanged(userId, PresenceStatus.OFFLINE, seen));
    }
    return transitions;
  }

  read(userIds: readonly string[]): Promise<Map<string, StoredPresence>> {
    const result = new Map<string, StoredPresence>();
    for (const id of userIds) {
      const state = this.states.get(id);
      if (!state) continue;
      result.set(id, {
        online: state.online,
        lastSeenAt: state.online || state.seen === null ? null : new Date(state.seen),
      });
    }
    return Promise.resolve(result);
  }

  /** The user's claims that have not expired (expired ones are dropped). */
  private liveClaims(userId: string, now: number): Map<string, number> {
    const own = this.claims.get(userId) ?? new Map<string, number>();
    for (const [id, expiry] of own) if (expiry <= now) own.delete(id);
    return own;
  }

  private publish(event: PresenceEvent): Promise<void> {
    return this.bus.publish([this.channels.presence(event.userId)], event);
  }
}
