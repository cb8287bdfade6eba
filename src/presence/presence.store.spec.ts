/**
 * One contract, run against both PresenceStore implementations, so the in-memory store (one
 * instance, no REDIS_URL) and the Redis scripts cannot drift apart. The memory store runs on a
 * fake clock; the Redis one on Redis's own clock (127.0.0.1:6379, a prefix of its own, its keys
 * removed after), so waits there are real and every "not yet" is checked well inside its period.
 * Absence is asserted once a sentinel's change, published after, has been heard.
 */
import { randomBytes } from 'node:crypto';
import { PubSub } from 'graphql-subscriptions';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../config/app.config.js';
import { Channels } from '../pubsub/channels.js';
import { EventBus } from '../pubsub/event-bus.js';
import { MemoryPresenceStore } from './memory-presence.store.js';
import type { PresenceEvent } from './presence-changed.event.js';
import type { Claim, PresenceStore, PresenceTimings } from './presence.store.js';
import { RedisPresenceStore } from './redis-presence.store.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
// Periods long enough that a step made right after another always falls inside them.
const TIMINGS: PresenceTimings = { ttlMs: 3000, graceMs: 1500 };

interface Harness {
  setUp(): Promise<void>;
  store(timings?: PresenceTimings): PresenceStore;
  /** Starts recording what is published about `userId`. */
  listen(userId: string): Promise<void>;
  heard: PresenceEvent[];
  /** The store's clock (ms). */
  now(): number;
  /** Lets at least `ms` pass on the store's clock. */
  advance(ms: number): Promise<void>;
  tearDown(): Promise<void>;
}

function memoryHarness(): Harness {
  let clock = 1_000_000;
  const channels = new Channels({ redis: { prefix: 'spec:' } } as AppConfig);
  const bus = new EventBus(new PubSub(), null);
  const heard: PresenceEvent[] = [];
  return {
    heard,
    setUp: () => Promise.resolve(),
    store: (timings = TIMINGS) => new MemoryPresenceStore(bus, channels, timings, () => clock),
    listen: async (userId) =>
      void (await bus.subscribe<PresenceEvent>(channels.presence(userId), (e) => heard.push(e))),
    now: () => clock,
    advance: (ms) => {
      clock += ms;
      return Promise.resolve();
    },
    tearDown: () => Promise.resolve(),
  };
}

function redisHarness(): Harness {
  const prefix = `spec-${randomBytes(6).toString('hex')}:`;
  const channels = new Channels({ redis: { prefix } } as AppConfig);
  const clients: Redis[] = [];
  const heard: PresenceEvent[] = [];
  return {
    heard,
    async setUp() {
      const listener = new Redis(REDIS_URL);
      clients.push(listener);
      await listener.psubscribe(`${prefix}presence:*`);
      listener.on('pmessage', (_p, _c, json: string) => heard.push(JSON.parse(json)));
    },
    store(timings = TIMINGS) {
      const client = new Redis(REDIS_URL);
      clients.push(client);
      return new RedisPresenceStore(client, channels, timings);
    },
    listen: () => Promise.resolve(),
    now: () => Date.now(),
    advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms + 20)),
    async tearDown() {
      const redis = new Redis(REDIS_URL);
      for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 500 })) {
        if ((keys as string[]).length > 0) await redis.unlink(...(keys as string[]));
      }
      await Promise.all([...clients, redis].map((c) => c.quit()));
    },
  };
}

describe.each([
  ['MemoryPresenceStore', memoryHarness],
  ['RedisPresenceStore', redisHarness],
])('%s', (_, makeHarness) => {
  const h = makeHarness();
  let store: PresenceStore;
  let users = 0;

  beforeAll(async () => {
    await h.setUp();
    store = h.store();
  });
  afterAll(() => h.tearDown());

  /** One claim released on its own: whether it was the user's last. */
  async function release(on: PresenceStore, claim: Claim, closedAt: Date): Promise<boolean> {
    const [last] = await on.releaseAll([{ ...claim, closedAt }]);
    return last;
  }

  /** A user of this test alone, recorded from the start. */
  async function user(): Promise<string> {
    const id = `user-${++users}-${randomBytes(3).toString('hex')}`;
    await h.listen(id);
    return id;
  }

  /** Everything published about `userId`, once a sentinel published after it has been heard. */
  async function statuses(userId: string): Promise<string[]> {
    const sentinel = await user();
    await store.claim([{ userId: sentinel, claimId: 's' }], true);
    const deadline = Date.now() + 5000;
    while (!h.heard.some((e) => e.userId === sentinel)) {
      if (Date.now() > deadline) throw new Error('the sentinel was never heard');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return h.heard.filter((e) => e.userId === userId).map((e) => e.status);
  }

  it('announces ONLINE once however many claims, and OFFLINE only after the grace period', async () => {
    const dave = await user();
    expect(await store.claim([{ userId: dave, claimId: 'c1' }], true)).toEqual([dave]);
    expect(await store.claim([{ userId: dave, claimId: 'c2' }], true)).toEqual([]);
    expect(await release(store, { userId: dave, claimId: 'c1' }, new Date(h.now()))).toBe(false);
    const closedAt = new Date(h.now());
    expect(await release(store, { userId: dave, claimId: 'c2' }, closedAt)).toBe(true);
    expect((await store.sweep()).filter((t) => t.userId === dave)).toEqual([]);
    expect((await store.read([dave])).get(dave)).toEqual({ online: true, lastSeenAt: null });
    await h.advance(TIMINGS.graceMs);
    expect((await store.sweep()).filter((t) => t.userId === dave)).toEqual([
      { userId: dave, lastSeenAt: closedAt },
    ]);
    expect((await store.sweep()).filter((t) => t.userId === dave)).toEqual([]);
    expect(await statuses(dave)).toEqual(['ONLINE', 'OFFLINE']);
    expect((await store.read([dave])).get(dave)).toEqual({ online: false, lastSeenAt: closedAt });
  });

  it('releases several claims in one call, in order: only the last of a user starts the grace', async () => {
    const [dave, erin] = [await user(), await user()];
    await store.claim(
      [
        { userId: dave, claimId: 'c1' },
        { userId: dave, claimId: 'c2' },
        { userId: erin, claimId: 'c1' },
      ],
      true,
    );
    const closedAt = new Date(h.now());
    expect(
      await store.releaseAll([
        { userId: dave, claimId: 'c1', closedAt },
        { userId: erin, claimId: 'c1', closedAt },
        { userId: dave, claimId: 'c2', closedAt },
      ]),
    ).toEqual([false, true, true]);
    expect((await store.sweep()).filter((t) => [dave, erin].includes(t.userId))).toEqual([]);
    await h.advance(TIMINGS.graceMs);
    const swept = (await store.sweep()).filter((t) => [dave, erin].includes(t.userId));
    expect(swept.sort((a, b) => a.userId.localeCompare(b.userId))).toEqual(
      [dave, erin].sort().map((userId) => ({ userId, lastSeenAt: closedAt })),
    );
  });

  it('makes no change when a claim comes back within the grace period', async () => {
    const dave = await user();
    await store.claim([{ userId: dave, claimId: 'c1' }], true);
    await release(store, { userId: dave, claimId: 'c1' }, new Date(h.now()));
    await store.claim([{ userId: dave, claimId: 'c2' }], true);
    await h.advance(TIMINGS.graceMs);
    expect((await store.sweep()).filter((t) => t.userId === dave)).toEqual([]);
    expect(await statuses(dave)).toEqual(['ONLINE']);
  });

  it('expires claims nobody renews, with the last renewal as last seen', async () => {
    const dave = await user();
    const short = h.store({ ttlMs: 600, graceMs: TIMINGS.graceMs });
    await short.claim([{ userId: dave, claimId: 'c1' }], true);
    await h.advance(200);
    const before = h.now();
    await short.claim([{ userId: dave, claimId: 'c1' }], false);
    const after = h.now();
    await h.advance(600);
    const [transition, ...more] = (await short.sweep()).filter((t) => t.userId === dave);
    expect(more).toEqual([]);
    expect(transition.lastSeenAt.getTime()).toBeGreaterThanOrEqual(before - 5);
    expect(transition.lastSeenAt.getTime()).toBeLessThanOrEqual(after + 5);
    expect(await statuses(dave)).toEqual(['ONLINE', 'OFFLINE']);
  });

  it('keeps a user ONLINE while one claim is renewed and another has expired', async () => {
    const dave = await user();
    await store.claim([{ userId: dave, claimId: 'dead' }], true);
    await store.claim([{ userId: dave, claimId: 'alive' }], true);
    for (let i = 0; i < 4; i++) {
      await h.advance(TIMINGS.ttlMs / 3);
      await store.claim([{ userId: dave, claimId: 'alive' }], false);
      expect((await store.sweep()).filter((t) => t.userId === dave)).toEqual([]);
    }
    expect(await statuses(dave)).toEqual(['ONLINE']);
    expect((await store.read([dave])).get(dave)).toEqual({ online: true, lastSeenAt: null });
  });

  it('restores an unknown user silently on renewal, but announces one it had said OFFLINE', async () => {
    const dave = await user();
    const short = h.store({ ttlMs: 600, graceMs: TIMINGS.graceMs });
    expect(await short.claim([{ userId: dave, claimId: 'c1' }], false)).toEqual([]);
    expect(await statuses(dave)).toEqual([]);
    await h.advance(600);
    expect((await short.sweep()).map((t) => t.userId)).toContain(dave);
    expect(await short.claim([{ userId: dave, claimId: 'c1' }], false)).toEqual([dave]);
    expect(await statuses(dave)).toEqual(['OFFLINE', 'ONLINE']);
  });

  it('announces OFFLINE for every expired user in one sweep, not a batch of them', async () => {
    // An instance gone with its 1,200 users: all OFFLINE now, not 500 a second.
    const gone = Array.from(
      { length: 1200 },
      (_, i) => `gone-${i}-${randomBytes(3).toString('hex')}`,
    );
    const short = h.store({ ttlMs: 600, graceMs: TIMINGS.graceMs });
    await short.claim(
      gone.map((userId) => ({ userId, claimId: 'c' })),
      true,
    );
    await h.advance(600);
    const swept = new Set((await short.sweep()).map((t) => t.userId));
    expect(gone.filter((u) => !swept.has(u))).toEqual([]);
  });

  it('reads only the users it knows, each as last announced', async () => {
    const [online, offline, unknown] = [await user(), await user(), await user()];
    const short = h.store({ ttlMs: 600, graceMs: TIMINGS.graceMs });
    await short.claim([{ userId: online, claimId: 'c' }], true);
    await short.claim([{ userId: offline, claimId: 'c' }], true);
    const closedAt = new Date(h.now());
    await release(short, { userId: offline, claimId: 'c' }, closedAt);
    await h.advance(TIMINGS.graceMs);
    await short.claim([{ userId: online, claimId: 'c' }], false);
    await short.sweep();
    const read = await short.read([online, offline, unknown]);
    expect([...read.keys()].sort()).toEqual([online, offline].sort());
    expect(read.get(online)).toEqual({ online: true, lastSeenAt: null });
    expect(read.get(offline)).toEqual({ online: false, lastSeenAt: closedAt });
  });
});
