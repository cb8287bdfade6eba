/**
 * The presence channels this instance listens to, reference-counted: however many local
 * subscribers watch a user, the instance subscribes to that user's channel once, and drops it when
 * the last of them stops. So a status change is one PUBLISH, heard only where someone watches.
 */
import { Injectable } from '@nestjs/common';
import { Channels } from '../pubsub/channels.js';
import { EventBus } from '../pubsub/event-bus.js';
import type { PresenceEvent } from './presence.store.js';
import type { Presence } from './presence.type.js';

type Listener = (presence: Presence) => void;

interface Watched {
  listeners: Set<Listener>;
  subscribed: Promise<() => void>;
  ready: boolean;
}

@Injectable()
export class PresenceWatchers {
  private readonly watched = new Map<string, Watched>();

  constructor(
    private readonly bus: EventBus,
    private readonly channels: Channels,
  ) {}

  /** How many users this instance listens to (for tests and diagnostics). */
  get size(): number {
    return this.watched.size;
  }

  /** True once this instance hears the user's channel. */
  isWatching(userId: string): boolean {
    return this.watched.get(userId)?.ready ?? false;
  }

  /** Calls `listener` on each status change of the user; resolves once subscribed. */
  async watch(userId: string, listener: Listener): Promise<() => void> {
    let entry = this.watched.get(userId);
    if (!entry) {
      const listeners = new Set<Listener>();
      const subscribed = this.bus.subscribe<PresenceEvent>(this.channels.presence(userId), (e) => {
        const presence = toPresence(e);
        for (const l of listeners) l(presence);
      });
      const created: Watched = { listeners, subscribed, ready: false };
      subscribed.then(
        () => (created.ready = true),
        () => undefined,
      );
      entry = created;
      this.watched.set(userId, entry);
    }
    const current = entry;
    current.listeners.add(listener);
    try {
      await current.subscribed;
    } catch (error) {
      this.unwatch(userId, current, listener);
      throw error;
    }
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.unwatch(userId, current, listener);
    };
  }

  private unwatch(userId: string, entry: Watched, listener: Listener): void {
    entry.listeners.delete(listener);
    if (entry.listeners.size > 0 || this.watched.get(userId) !== entry) return;
    this.watched.delete(userId);
    entry.subscribed.then(
      (unsubscribe) => unsubscribe(),
      () => undefined,
    );
  }
}

/** The wire event (lastSeenAt as epoch ms, or a Date in process) as the GraphQL type. */
export function toPresence(event: PresenceEvent): Presence {
  return {
    userId: event.userId,
    status: event.status,
    lastSeenAt: event.lastSeenAt == null ? null : new Date(event.lastSeenAt),
  };
}
