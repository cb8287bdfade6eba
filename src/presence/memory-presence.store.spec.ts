import { PubSub } from 'graphql-subscriptions';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AppConfig } from '../config/app.config.js';
import { Channels } from '../pubsub/channels.js';
import { EventBus } from '../pubsub/event-bus.js';
import { MemoryPresenceStore } from './memory-presence.store.js';
import type { PresenceEvent } from './presence.store.js';

const TTL = 3000;
const GRACE = 1000;
const dave = 'dave';

describe('MemoryPresenceStore', () => {
  let now: number;
  let store: MemoryPresenceStore;
  let events: PresenceEvent[];

  beforeEach(async () => {
    now = 1_000_000;
    const bus = new EventBus(new PubSub(), null);
    const channels = new Channels({ redis: { prefix: 't:' } } as AppConfig);
    store = new MemoryPresenceStore(bus, channels, { ttlMs: TTL, graceMs: GRACE }, () => now);
    events = [];
    await bus.subscribe<PresenceEvent>(channels.presence(dave), (e) => events.push(e));
  });

  const statuses = () => events.map((e) => e.status);

  it('announces ONLINE once however many claims, and OFFLINE only after the grace period', async () => {
    expect(await store.claim([{ userId: dave, claimId: 'c1' }], true)).toEqual([dave]);
    expect(await store.claim([{ userId: dave, claimId: 'c2' }], true)).toEqual([]);
    expect(await store.release({ userId: dave, claimId: 'c1' }, new Date(now))).toBe(false);
    expect(await store.release({ userId: dave, claimId: 'c2' }, new Date(now))).toBe(true);
    now += GRACE - 1;
    expect(await store.sweep()).toEqual([]);
    expect((await store.read([dave])).get(dave)).toEqual({ online: true, lastSeenAt: null });
    const closedAt = now - GRACE + 1;
    now += 1;
    expect(await store.sweep()).toEqual([{ userId: dave, lastSeenAt: new Date(closedAt) }]);
    expect(await store.sweep()).toEqual([]);
    expect(statuses()).toEqual(['ONLINE', 'OFFLINE']);
    expect((await store.read([dave])).get(dave)).toEqual({
      online: false,
      lastSeenAt: new Date(closedAt),
    });
  });

  it('makes no change when a claim comes back within the grace period', async () => {
    await store.claim([{ userId: dave, claimId: 'c1' }], true);
    await store.release({ userId: dave, claimId: 'c1' }, new Date(now));
    now += GRACE / 2;
    await store.claim([{ userId: dave, claimId: 'c2' }], true);
    now += GRACE;
    expect(await store.sweep()).toEqual([]);
    expect(statuses()).toEqual(['ONLINE']);
  });

  it('expires claims nobody renews, with the last renewal as last seen', async () => {
    await store.claim([{ userId: dave, claimId: 'c1' }], true);
    now += TTL / 3;
    const renewedAt = now;
    await store.claim([{ userId: dave, claimId: 'c1' }], false);
    now += TTL;
    expect(await store.sweep()).toEqual([{ userId: dave, lastSeenAt: new Date(renewedAt) }]);
    expect(statuses()).toEqual(['ONLINE', 'OFFLINE']);
  });

  it('keeps a user ONLINE while one claim is renewed and another expired', async () => {
    await store.claim([{ userId: dave, claimId: 'dead' }], true);
    await store.claim([{ userId: dave, claimId: 'alive' }], true);
    for (let i = 0; i < 6; i++) {
      now += TTL / 3;
      await store.claim([{ userId: dave, claimId: 'alive' }], false);
      expect(await store.sweep()).toEqual([]);
    }
    expect(statuses()).toEqual(['ONLINE']);
  });

  it('restores an unknown user silently on renewal, but announces one it had said OFFLINE', async () => {
    expect(await store.claim([{ userId: dave, claimId: 'c1' }], false)).toEqual([]);
    expect(statuses()).toEqual([]);
    now += TTL + 1;
    await store.sweep();
    expect(await store.claim([{ userId: dave, claimId: 'c1' }], false)).toEqual([dave]);
    expect(statuses()).toEqual(['OFFLINE', 'ONLINE']);
  });
});
