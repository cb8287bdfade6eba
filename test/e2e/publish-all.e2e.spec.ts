/**
 * publishAll against a real Redis server: one payload to every channel of a send, the same bytes
 * once on each, in order, also after Redis forgot the script (a restart or SCRIPT FLUSH). On a
 * private server: flushing the shared Redis's scripts would touch other test files.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { publishAll } from '../../src/pubsub/redis-pubsub.js';
import { usePrivateRedis } from '../support/fixtures.js';
import { waitUntil } from '../support/wait.js';

const server = usePrivateRedis();
let publisher: Redis;
let subscriber: Redis;
beforeAll(() => {
  publisher = new Redis(server.url);
  subscriber = new Redis(server.url);
});
afterAll(() => {
  publisher?.disconnect();
  subscriber?.disconnect();
});

it('delivers the same bytes once on every channel, in order, also after SCRIPT FLUSH', async () => {
  const channels = ['t:user:a', 't:user:b', 't:user:c'];
  await subscriber.subscribe(...channels);
  const heard: [string, string][] = [];
  subscriber.on('message', (channel: string, message: string) => heard.push([channel, message]));
  const json = JSON.stringify({ text: 'héllo 😀', n: 1 });
  await publishAll(publisher, channels, json);
  await publisher.script('FLUSH');
  await publishAll(publisher, channels, '{"n":2}');
  await publishAll(publisher, channels.slice(0, 1), '{"n":3}');
  // The sentinel: published last on the same connection, so heard last.
  await publishAll(publisher, ['t:user:c'], 'done');
  await waitUntil(() => heard.at(-1)?.[1] === 'done', 'the sentinel');
  expect(heard).toEqual([
    ...channels.map((c) => [c, json]),
    ...channels.map((c) => [c, '{"n":2}']),
    ['t:user:a', '{"n":3}'],
    ['t:user:c', 'done'],
  ]);
});
