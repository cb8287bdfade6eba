/**
 * The presence channels this instance listens to: one handler per watched user however many
 * local subscribers watch them, dropped when the last stops. A status change is one PUBLISH,
 * heard only where someone watches, decoded once, and handed to every watcher as one object.
 */
import { Injectable } from '@nestjs/common';
import { Channels } from '../pubsub/channels.js';
import { EventBus } from '../pubsub/event-bus.js';
import { decodePresenceChanged, type PresenceEvent } from './presence-changed.event.js';
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
        // One object for every local watcher: GraphQL executes presenceChanged once for all.
        const presence = decodePresenceChanged(e);
        for (const l of listeners) {
          try {
            l(presence);
          } catch {
            // one watcher's failure is its own; the others still hear the change
          }
        }
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
