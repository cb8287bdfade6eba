/**
 * Services that fail: Redis stopping and coming back, PostgreSQL becoming unreachable and coming
 * back, an instance killed mid-stream. PostgreSQL is the record, so no message is lost: clients
 * that resume with afterSeq end with exactly the stored messages, in seq order, none twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clusterEnv,
  spawnApp,
  startApp,
  testEnv,
  uniqueRedisPrefix,
  type RunningApp,
} from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createConversation, MESSAGE_FIELDS, sendMessage } from '../support/factories.js';
import { errorCode, gql, registerUser } from '../support/gql.js';
import { startPrivateRedis } from '../support/redis-server.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { connectWs, sleep, subscribe, waitUntil, type Subscription } from '../support/ws.js';

const RESUME = `subscription($c: ID!, $s: Int!) { messageAdded(conversationId: $c, afterSeq: $s) { ${MESSAGE_FIELDS} } }`;

let db: TestDatabase;
const cleanups: (() => Promise<unknown>)[] = [];
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await db?.drop();
});

const storedSeqs = async (conversationId: string) =>
  (
    await db.query<{ seq: number }>(
      'SELECT seq FROM messages WHERE conversation_id = $1 ORDER BY seq',
      [conversationId],
    )
  ).map((r) => r.seq);
const seqsOf = (subs: Subscription<any>[]) =>
  subs.flatMap((s) => s.events.map((e) => e.messageAdded.seq as number));
const ready = async (app: RunningApp) => (await fetch(`${app.url}/health/ready`)).status;

describe('Redis stops and restarts while messages are sent', () => {
  it('keeps committing sends, reports Redis down, reconnects by itself, and resuming clients miss nothing', async () => {
    const redis = await startPrivateRedis();
    cleanups.push(() => redis.stop());
    const env = testEnv({
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      REDIS_PREFIX: uniqueRedisPrefix(),
    });
    const [a, b] = await Promise.all([startApp(env), startApp(env)]);
    cleanups.push(
      () => a.close(),
      () => b.close(),
    );
    const [alice, bob] = await Promise.all([
      registerUser(a.url, 'alice'),
      registerUser(a.url, 'bob'),
    ]);
    const c = await createConversation(a.url, alice.token, [bob.id]);

    const ws = await connectWs(b.wsUrl, bob.token);
    cleanups.push(() => ws.dispose());
    const first = subscribe(ws, RESUME, { c: c.id, s: 0 });
    await sleep(300);

    const failures: unknown[] = [];
    let sent = 0;
    const sendSome = async (n: number) => {
      for (let i = 0; i < n; i++) {
        await sendMessage(a.url, alice.token, c.id, `m${++sent}`).catch((e: unknown) =>
          failures.push(e),
        );
        await sleep(20);
      }
    };
    await sendSome(10);
    await redis.stop();
    await sendSome(15);
    expect(await ready(a)).toBe(503);
    await redis.start();
    await waitUntil(
      async () => (await ready(a)) === 200 && (await ready(b)) === 200,
      'apps to see Redis again',
      20_000,
    );
    await sleep(500); // the subscriber connection re-subscribes after reconnecting
    await sendSome(15);

    expect(failures).toEqual([]);
    expect(await storedSeqs(c.id)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    // What a client does after any doubt: resume from the last seq it holds.
    const last = first.events.at(-1)?.messageAdded.seq ?? 0;
    first.unsubscribe();
    const resumed = subscribe(ws, RESUME, { c: c.id, s: last });
    await waitUntil(() => seqsOf([first, resumed]).length >= 40, 'every message', 15_000);
    expect(seqsOf([first, resumed])).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  }, 90_000);
});

describe('PostgreSQL becomes unreachable and comes back', () => {
  it('answers clearly and fast during the outage, and works again afterwards without a restart', async () => {
    const proxy = await startTcpProxy('127.0.0.1', Number(new URL(db.url).port || 5432));
    cleanups.push(() => proxy.close());
    const url = new URL(db.url);
    url.port = String(proxy.port);
    const app = await startApp(
      testEnv({ DATABASE_URL: url.toString(), DATABASE_POOL_TIMEOUT_MS: '1000' }),
    );
    cleanups.push(() => app.close());
    const [alice, bob] = await Promise.all([
      registerUser(app.url, 'alice'),
      registerUser(app.url, 'bob'),
    ]);
    const c = await createConversation(app.url, alice.token, [bob.id]);
    await sendMessage(app.url, alice.token, c.id, 'before');

    proxy.cut();
    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      const res = await gql(
        app.url,
        `mutation($i: SendMessageInput!) { sendMessage(input: $i) { seq } }`,
        { i: { conversationId: c.id, text: 'during' } },
        alice.token,
      );
      expect(errorCode(res)).toBe('SERVICE_UNAVAILABLE');
      expect(res.errors![0].message).not.toMatch(/ECONN|127\.0\.0\.1|timeout exceeded/);
      expect(Date.now() - started).toBeLessThan(5000);
    }
    expect(await ready(app)).toBe(503);

    proxy.restore();
    await waitUntil(async () => (await ready(app)) === 200, 'the database to be back', 15_000);
    const after = await sendMessage(app.url, alice.token, c.id, 'after');
    expect(after.seq).toBe(2);
    expect(await storedSeqs(c.id)).toEqual([1, 2]);
  }, 60_000);
});

describe('an instance is killed mid-stream', () => {
  it('lets its clients reconnect to another instance and resume without losing anything', async () => {
    const prefix = uniqueRedisPrefix();
    const stable = await startApp(clusterEnv(db.url, prefix));
    cleanups.push(() => stable.close());
    const doomed = await spawnApp(clusterEnv(db.url, prefix));
    cleanups.push(() => doomed.close());
    const [alice, bob] = await Promise.all([
      registerUser(stable.url, 'alice'),
      registerUser(stable.url, 'bob'),
    ]);
    const c = await createConversation(stable.url, alice.token, [bob.id]);

    const ws = await connectWs(doomed.wsUrl, bob.token);
    const before = subscribe(ws, RESUME, { c: c.id, s: 0 });
    await sleep(300);
    const sending = (async () => {
      for (let i = 1; i <= 40; i++) {
        await sendMessage(stable.url, alice.token, c.id, `m${i}`);
        await sleep(15);
      }
    })();
    await before.waitFor(5);
    doomed.process.kill('SIGKILL');
    expect(await ws.closed).toBe(1006);

    const again = await connectWs(stable.wsUrl, bob.token);
    cleanups.push(() => again.dispose());
    const after = subscribe(again, RESUME, { c: c.id, s: before.events.at(-1)!.messageAdded.seq });
    await sending;
    await waitUntil(() => seqsOf([before, after]).length >= 40, 'every message', 15_000);
    expect(seqsOf([before, after])).toEqual(await storedSeqs(c.id));
    expect(seqsOf([before, after])).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  }, 60_000);
});
