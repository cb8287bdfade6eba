/**
 * The Redis presence scripts against a real Redis: with instances racing, each change is made and
 * published exactly once; keys stay under the prefix; a flushed script cache is survived.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../src/config/app.config.js';
import { Channels } from '../../src/pubsub/channels.js';
import type { PresenceEvent } from '../../src/presence/presence.store.js';
import { RedisPresenceStore } from '../../src/presence/redis-presence.store.js';
import { usePrivateRedis, useRedisPrefix } from '../support/fixtures.js';
import { sleep, waitUntil } from '../support/wait.js';

// A grace period long enough that a sweep made right after a release always falls inside it,
// however busy the machine.
const TIMINGS = { ttlMs: 600, graceMs: 2000 };
const prefix = useRedisPrefix();
const channels = new Channels({ redis: { prefix } } as AppConfig);
const clients: Redis[] = [];
let stores: RedisPresenceStore[];
const heard: PresenceEvent[] = [];

// A Redis of this file's own: the test flushes the script cache, which others must not feel.
const redis = usePrivateRedis();

beforeAll(async () => {
  for (let i = 0; i < 4; i++) clients.push(new Redis(redis.url));
  // Three "instances", each with its own connection, as in production.
  stores = clients.slice(0, 3).map((c) => new RedisPresenceStore(c, channels, TIMINGS));
  const listener = clients[3];
  await listener.psubscribe(`${prefix}presence:*`);
  listener.on('pmessage', (_p, _c, message: string) => heard.push(JSON.parse(message)));
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.quit()));
});

let sentinels = 0;
/**
 * What a watcher heard about `userId`, once `count` events have come and then a sentinel
 * published after them (a user of its own claimed, so announced ONLINE): anything more about
 * `userId` would have come before it.
 */
const heardAbout = async (userId: string, count: number) => {
  await waitUntil(() => about(userId).length >= count, `${count} events about ${userId}`);
  const sentinel = `sentinel-${++sentinels}`;
  await stores[0].claim([{ userId: sentinel, claimId: 's' }], true);
  await waitUntil(() => about(sentinel).length > 0, 'the sentinel');
  const before = heard.slice(
    0,
    heard.findIndex((e) => e.userId === sentinel),
  );
  return before.filter((e) => e.userId === userId).map((e) => e.status);
};

const about = (userId: string) => heard.filter((e) => e.userId === userId).map((e) => e.status);

/** Every store sweeps at once; what they settled about `userId` (users of other tests expire too). */
const sweepAll = async (userId: string) =>
  (await Promise.all(stores.map((s) => s.sweep()))).flat().filter((t) => t.userId === userId);

describe('RedisPresenceStore', () => {
  it('announces ONLINE once when instances claim the same user at once', async () => {
    const user = 'racer-online';
    const announced = await Promise.all(
      stores.map((s, i) => s.claim([{ userId: user, claimId: `c${i}` }], true)),
    );
    expect(announced.flat()).toEqual([user]);
    expect(await heardAbout(user, 1)).toEqual(['ONLINE']);
  });

  it('announces OFFLINE once, after the grace period, when every instance sweeps at once', async () => {
    const user = 'racer-offline';
    await stores[0].claim([{ userId: user, claimId: 'a' }], true);
    await stores[1].claim([{ userId: user, claimId: 'b' }], true);
    expect(
      await stores[0].releaseAll([{ userId: user, claimId: 'a', closedAt: new Date() }]),
    ).toEqual([false]);
    const closedAt = new Date();
    expect(await stores[1].releaseAll([{ userId: user, claimId: 'b', closedAt }])).toEqual([true]);
    expect(await sweepAll(user)).toEqual([]);
    await sleep(TIMINGS.graceMs + 50);
    expect(await sweepAll(user)).toEqual([{ userId: user, lastSeenAt: closedAt }]);
    expect(await heardAbout(user, 2)).toEqual(['ONLINE', 'OFFLINE']);
    expect((await stores[2].read([user])).get(user)).toEqual({
      online: false,
      lastSeenAt: closedAt,
    });
  });

  it('expires the claims of an instance that stops renewing, and survives a flushed script cache', async () => {
    const user = 'abandoned';
    await stores[0].claim([{ userId: user, claimId: 'x' }], true);
    await clients[0].script('FLUSH');
    await sleep(TIMINGS.ttlMs + 50);
    expect(await sweepAll(user)).toHaveLength(1);
    expect(await heardAbout(user, 2)).toEqual(['ONLINE', 'OFFLINE']);
  });

  it('keeps every key under the prefix', async () => {
    const user = 'prefixed';
    await stores[0].claim([{ userId: user, claimId: 'p' }], true);
    await stores[1].claim([{ userId: user, claimId: 'q' }], true);
    await stores[0].releaseAll([{ userId: user, claimId: 'p', closedAt: new Date() }]);
    const keys = await clients[0].keys('*');
    expect(keys).toContain(`${prefix}presence:state:${user}`);
    expect(keys).toContain(`${prefix}presence:expiry`);
    // This Redis is the file's own: a key without the prefix can only be a store's mistake.
    expect(keys.filter((key) => !key.startsWith(prefix))).toEqual([]);
  });
});
