/** Who is online, by user id: seeded by queries, kept current by the presenceChanged stream. */
import { useSyncExternalStore } from 'react';
import type { PresenceStatus } from '../gql/graphql';

export interface PresenceStore {
  get(userId: string): PresenceStatus | undefined;
  set(entries: Iterable<readonly [string, PresenceStatus]>): void;
  subscribe(listener: () => void): () => void;
}

export function createPresenceStore(): PresenceStore {
  const statuses = new Map<string, PresenceStatus>();
  const listeners = new Set<() => void>();
  return {
    get: (userId) => statuses.get(userId),
    set(entries) {
      let changed = false;
      for (const [userId, status] of entries) {
        if (statuses.get(userId) === status) continue;
        statuses.set(userId, status);
        changed = true;
      }
      if (changed) for (const listener of listeners) listener();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export function usePresence(store: PresenceStore, userId: string): PresenceStatus | undefined {
  return useSyncExternalStore(store.subscribe, () => store.get(userId));
}
