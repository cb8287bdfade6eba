/**
 * RedisPubSub's subscriber connection against a real Redis server: subscriptions started in one
 * turn go to Redis as one SUBSCRIBE (a reconnect storm starts thousands), each resolves only once
 * Redis hears its channel, and however wants flip while commands are on their way, Redis ends up
 * hearing exactly the channels someone wants. On a private server: the command counts of
 * `INFO commandstats` are the server's, and the shared one runs other files' tests.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CHANNELS_PER_COMMAND } from '../../src/pubsub/channel-subscriptions.js';
import { publishAll, RedisPubSub } from '../../src/pubsub/redis-pubsub.js';
import { sharedDeserializer } from '../../src/pubsub/shared-payloads.js';
import { usePrivateRedis } from '../support/fixtures.js';
import { waitUntil } from '../support/wait.js';

const server = usePrivateRedis();
let publisher: Redis;
let subscriber: Redis;
let admin: Redis;
let pubSub: RedisPubSub;
beforeAll(() => {
  publisher = new Redis(server.url);
  subscriber = new Redis(server.url, { maxRetriesPerRequest: null });
  admin = new Redis(server.url);
  pubSub = new RedisPubSub(publisher, subscriber, sharedDeserializer());
});
afterAll(() => {
  pubSub?.close();
  for (const redis of [publisher, subscriber, admin]) redis?.disconnect();
});

/** How many times Redis has run `command` since it started. */
async function calls(command: 'subscribe' | 'unsubscribe'): Promise<number> {
  const stats = await admin.info('commandstats');
  return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
}

const heardBy = async () => (await admin.pubsub('CHANNELS', 'b:*')).sort();

it('subscribes the channels asked for in one turn with one command each thousand, and each hears its messages', async () => {
  const before = await calls('subscribe');
  const channels = Array.from({ length: CHANNELS_PER_COMMAND + 200 }, (_, i) => `a:user:${i}`);
  const heard = new Map<string, unknown[]>();
  await Promise.all(
    channels.map((c) =>
      pubSub.subscribe(c, (payload) => heard.set(c, [...(heard.get(c) ?? []), payload])),
    ),
  );
  // Resolved means heard: a publish straight after reaches every channel.
  await publishAll(publisher, channels, '{"n":1}');
  await waitUntil(() => channels.every((c) => heard.get(c)?.length === 1), 'every channel');
  expect(channels.map((c) => heard.get(c))).toEqual(channels.map(() => [{ n: 1 }]));
  expect((await calls('subscribe')) - before).toBe(2);
});

it('ends up hearing exactly the channels still wanted however wants flip while commands are out', async () => {
  const ids = new Map<string, number>();
  const start = (c: string) => pubSub.subscribe(c, () => {}).then((id) => void ids.set(c, id));
  const stop = (c: string) => pubSub.unsubscribe(ids.get(c)!);

  await Promise.all(['b:1', 'b:2', 'b:3'].map(start));
  expect(await heardBy()).toEqual(['b:1', 'b:2', 'b:3']);

  stop('b:1');
  const b4 = pubSub.subscribe('b:4', () => {});
  // The turn's changes are written now: UNSUBSCRIBE b:1, SUBSCRIBE b:4. While both are on
  // their way, b:1 is wanted again and, once b:4's is answered, b:4 is given up.
  await new Promise((resolve) => setImmediate(resolve));
  const again = start('b:1');
  pubSub.unsubscribe(await b4);
  await again;
  // b:2 left and wanted again in later turns, with its UNSUBSCRIBE written in between.
  stop('b:2');
  await new Promise((resolve) => setImmediate(resolve));
  await start('b:2');

  // The sentinel: a channel subscribed last, through the same connection, after everything
  // above was sent; once it is heard, every earlier command has run.
  await start('b:9');
  expect(await heardBy()).toEqual(['b:1', 'b:2', 'b:3', 'b:9']);

  const gone = await calls('unsubscribe');
  for (const c of ['b:1', 'b:2', 'b:3', 'b:9']) stop(c);
  await waitUntil(async () => (await heardBy()).length === 0, 'every channel released');
  // Four released in one turn: one UNSUBSCRIBE.
  expect((await calls('unsubscribe')) - gone).toBe(1);
});
