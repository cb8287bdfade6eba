/**
 * Services that fail: Redis stopping and coming back, Redis stalling (connections open, no
 * answers), PostgreSQL becoming unreachable and coming back, an instance killed mid-stream. PostgreSQL is the record, so no message is lost: clients
 * that resume with afterSeq end with exactly the stored messages, in seq order, none twice.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnApp, type RunningApp } from '../support/app.js';
import { storedSeqs } from '../support/database.js';
import { REDIS_URL } from '../support/env.js';
import { createConversation, RESUME, sendMessage } from '../support/factories.js';
import { useApp, useCleanups, useDatabase, usePrivateRedis } from '../support/fixtures.js';
import { errorCode, gql, gqlOk, registerUsers, type TestUser } from '../support/gql.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { sleep, waitUntil } from '../support/wait.js';
import { connectWs, eventsBeforeSentinel, subscribe, type Subscription } from '../support/ws.js';

const db = useDatabase();
const defer = useCleanups();

const seqsOf = (subs: Subscription<any>[]) =>
  subs.flatMap((s) => s.events.map((e) => e.messageAdded.seq as number));
const ready = async (app: RunningApp) => (await fetch(`${app.url}/health/ready`)).status;

describe('Redis stops and restarts while messages are sent', () => {
  const redis = usePrivateRedis();
  const {
    apps: [a, b],
    env,
  } = useApp({ instances: 2, db, env: () => ({ REDIS_URL: redis.url }) });

  it('keeps committing sends, reports Redis down, reconnects by itself, and resuming clients miss nothing', async () => {
    const prefix = env.REDIS_PREFIX!;
    // Looks at the private Redis as an operator would: who is subscribed to Bob's channel.
    const observer = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    observer.on('error', () => undefined);
    defer(() => observer.disconnect());
    const [alice, bob] = await registerUsers(a.url, ['alice', 'bob']);
    const bobsSubscribers = async () => {
      const [, count] = (await observer.pubsub('NUMSUB', `${prefix}user:${bob.id}`)) as [
        string,
        number,
      ];
      return count;
    };
    const c = await createConversation(a.url, alice.token, [bob.id]);

    const ws = await connectWs(b.wsUrl, bob.token);
    defer(() => ws.dispose());
    // Replay from seq 0 covers anything sent before the subscription is live.
    const first = subscribe(ws, RESUME, { c: c.id, s: 0 });

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
    // Ready says nothing about the subscriber connection: wait until it has subscribed again.
    await observer.connect();
    await waitUntil(async () => (await bobsSubscribers()) > 0, "B to listen on Bob's channel");
    await sendSome(15);

    const all = Array.from({ length: 40 }, (_, i) => i + 1);
    expect(failures).toEqual([]);
    expect(await storedSeqs(db, c.id)).toEqual(all);
    // The live subscription survived: the messages published after the restart reached it, and
    // it read those published while Redis was down from PostgreSQL to fill the gap.
    await first.waitFor(40, 15_000);
    expect(seqsOf([first])).toEqual(all);
    expect(first.errors).toEqual([]);
    // A client that resumes from a point in the middle gets exactly the rest.
    const resumed = subscribe(ws, RESUME, { c: c.id, s: 20 });
    await resumed.waitFor(20);
    const rest = await eventsBeforeSentinel(
      resumed,
      () => sendMessage(a.url, alice.token, c.id, 'sentinel'),
      (e) => e.messageAdded.text === 'sentinel',
    );
    expect(rest.map((e) => e.messageAdded.seq)).toEqual(all.slice(20));
  }, 90_000);
});

describe('Redis stalls: connections stay open and nothing answers', () => {
  let proxy: TcpProxy;
  beforeAll(async () => {
    proxy = await startTcpProxy('127.0.0.1', Number(new URL(REDIS_URL).port || 6379));
  });
  afterAll(() => proxy?.close());
  /** The app reaches Redis only through the proxy; limits on, sends at 3 a minute. */
  const { app } = useApp({
    db,
    redis: true,
    env: () => ({
      REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
      RATE_LIMITS: 'on',
      RATE_LIMIT_SENDS: '3/1m',
    }),
  });

  const send = (user: TestUser, conversationId: string, text: string) =>
    gql(
      app.url,
      `mutation($i: SendMessageInput!) { sendMessage(input: $i) { seq } }`,
      { i: { conversationId, text } },
      user.token,
    );
  const login = (user: TestUser) =>
    gqlOk(app.url, `mutation($i: LoginInput!) { login(input: $i) { accessToken } }`, {
      i: { username: user.username, password: 'correct horse battery' },
    });
  /** chat_rate_limit_unchecked_total by limit, for reason="timeout". */
  const uncheckedTimeouts = async () => {
    const text = await (await fetch(`${app.url}/metrics`)).text();
    const counts: Record<string, number> = {};
    for (const [, limit, n] of text.matchAll(
      /^chat_rate_limit_unchecked_total\{limit="(\w+)",reason="timeout"\} (\d+)$/gm,
    )) {
      counts[limit] = Number(n);
    }
    return counts;
  };

  it('lets logins and sends through unchecked at once, counts them, and limits again after', async () => {
    const [alice, bob] = await registerUsers(app.url, ['alice', 'bob']);
    const c = await createConversation(app.url, alice.token, [bob.id]);
    // Through the proxy the limit holds: Alice's fourth send in a minute is refused.
    for (let i = 1; i <= 3; i++) expect((await send(alice, c.id, `m${i}`)).errors).toBeUndefined();
    expect(errorCode(await send(alice, c.id, 'over'))).toBe('TOO_MANY_REQUESTS');

    proxy.stall();
    let resumed = false;
    defer(() => {
      if (!resumed) proxy.resume();
    });
    const started = Date.now();
    await login(alice);
    // Three limits of 250 ms each (RATE_LIMIT_REDIS_TIMEOUT_MS), then the password hash.
    expect(Date.now() - started).toBeLessThan(2500);
    // Alice is blocked in Redis, but the check cannot be made: her send is let through, and it
    // answers while Redis is still stalled (its publish gives up after PUBLISH_TIMEOUT_MS: the
    // message is stored, and subscribers catch up on it from PostgreSQL).
    const during = await send(alice, c.id, 'during');
    expect(during.errors).toBeUndefined();
    expect(during.data).toEqual({ sendMessage: { seq: 4 } });
    expect(await uncheckedTimeouts()).toEqual({
      loginsPerIp: 1,
      loginsPerUsernameAndIp: 1,
      loginsPerUsername: 1,
      sends: 1,
    });

    proxy.resume();
    resumed = true;
    await waitUntil(async () => (await ready(app)) === 200, 'Redis to answer again');
    // Alice's block was never lifted, and Bob's count starts from nothing: his fourth is refused.
    expect(errorCode(await send(alice, c.id, 'after'))).toBe('TOO_MANY_REQUESTS');
    for (let i = 1; i <= 3; i++) expect((await send(bob, c.id, `b${i}`)).errors).toBeUndefined();
    expect(errorCode(await send(bob, c.id, 'over'))).toBe('TOO_MANY_REQUESTS');
    expect((await uncheckedTimeouts()).sends).toBe(1);
  }, 60_000);
});

describe('PostgreSQL becomes unreachable and comes back', () => {
  let proxy: TcpProxy;
  beforeAll(async () => {
    proxy = await startTcpProxy('127.0.0.1', Number(new URL(db.url).port || 5432));
  });
  afterAll(() => proxy?.close());
  /** The app reaches the database only through the proxy. */
  const { app } = useApp({
    db,
    env: (databaseUrl) => {
      const url = new URL(databaseUrl);
      url.port = String(proxy.port);
      return { DATABASE_URL: url.toString(), DATABASE_POOL_TIMEOUT_MS: '1000' };
    },
  });

  it('answers clearly and fast during the outage, and works again afterwards without a restart', async () => {
    const [alice, bob] = await registerUsers(app.url, ['alice', 'bob']);
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
    expect(await storedSeqs(db, c.id)).toEqual([1, 2]);
  }, 60_000);
});

describe('an instance is killed mid-stream', () => {
  const { app: stable, env } = useApp({ db, redis: true });

  it('lets its clients reconnect to another instance and resume without losing anything', async () => {
    const doomed = await spawnApp(env);
    defer(() => doomed.close());
    const [alice, bob] = await registerUsers(stable.url, ['alice', 'bob']);
    const c = await createConversation(stable.url, alice.token, [bob.id]);

    const ws = await connectWs(doomed.wsUrl, bob.token);
    // Replay from seq 0 covers anything sent before the subscription is live.
    const before = subscribe(ws, RESUME, { c: c.id, s: 0 });
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
    defer(() => again.dispose());
    const after = subscribe(again, RESUME, { c: c.id, s: before.events.at(-1)!.messageAdded.seq });
    await sending;
    await waitUntil(() => seqsOf([before, after]).length >= 40, 'every message', 15_000);
    expect(seqsOf([before, after])).toEqual(await storedSeqs(db, c.id));
    expect(seqsOf([before, after])).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  }, 60_000);
});
