/**
 * Presence as users see it, on two instances sharing PostgreSQL and Redis (TTL 3 s, grace 1 s):
 * ONLINE while any connection is open anywhere, OFFLINE once after the last closes and the grace
 * passes, no flapping on a quick reconnect, a killed instance's users going OFFLINE, a Redis
 * restart healed within a TTL, and the same rules without Redis on a single instance.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { PresenceStore } from '../../src/presence/presence.store.js';
import { PresenceWatchers } from '../../src/presence/presence.watchers.js';
import {
  clusterEnv,
  spawnApp,
  startApp,
  testEnv,
  uniqueRedisPrefix,
  type InProcessApp,
} from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createConversation } from '../support/factories.js';
import {
  errorCode,
  gql,
  gqlOk,
  registerUser,
  registerUsers,
  type TestUser,
} from '../support/gql.js';
import { startPrivateRedis, type PrivateRedis } from '../support/redis-server.js';
import {
  connectWs,
  sleep,
  subscribe,
  waitForSubscriptions,
  waitUntil,
  type Subscription,
  type WsClient,
} from '../support/ws.js';

const TTL_MS = 3000;
const GRACE_MS = 1000;
const TIMINGS = {
  PRESENCE_TTL_SECONDS: String(TTL_MS / 1000),
  PRESENCE_GRACE_MS: String(GRACE_MS),
};
/** Room for a busy two-core machine on top of a deadline the rules give. */
const SLACK_MS = 3000;
/** How long "nothing more happens" is watched for: past grace plus a sweep, with room. */
const QUIET_MS = GRACE_MS + 2500;

const PRESENCE_CHANGED = /* GraphQL */ `
  subscription {
    presenceChanged {
      userId
      status
      lastSeenAt
    }
  }
`;
const PRESENCE = /* GraphQL */ `
  query ($ids: [ID!]!) {
    presence(userIds: $ids) {
      userId
      status
      lastSeenAt
    }
  }
`;

interface PresenceView {
  userId: string;
  status: 'ONLINE' | 'OFFLINE';
  lastSeenAt: string | null;
}
type Changes = Subscription<{ presenceChanged: PresenceView }>;

let db: TestDatabase;
let a: InProcessApp;
let b: InProcessApp;
const prefix = uniqueRedisPrefix();
/** Sockets and processes a test opened, closed after it whatever happened. */
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  [a, b] = await Promise.all([
    startApp(clusterEnv(db.url, prefix, TIMINGS)),
    startApp(clusterEnv(db.url, prefix, TIMINGS)),
  ]);
});
afterEach(async () => {
  await Promise.allSettled(cleanups.splice(0).map((c) => c()));
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  await db?.drop();
});

async function connect(wsUrl: string, user: TestUser): Promise<WsClient> {
  const ws = await connectWs(wsUrl, user.token);
  cleanups.push(() => ws.dispose());
  return ws;
}

/** Subscribes `user` to presenceChanged on `app`, and waits until that instance hears `contacts`. */
async function watch(app: InProcessApp, user: TestUser, contacts: TestUser[]): Promise<Changes> {
  const ws = await connect(app.wsUrl, user);
  const changes: Changes = subscribe(ws, PRESENCE_CHANGED);
  const watchers = app.app.get(PresenceWatchers);
  await waitUntil(() => contacts.every((c) => watchers.isWatching(c.id)), 'watching contacts');
  return changes;
}

/** Subscribes `user` to presenceChanged on `app`, and waits until the subscription is live. */
async function listen(app: InProcessApp, user: TestUser): Promise<Changes> {
  const ws = await connect(app.wsUrl, user);
  return waitForSubscriptions([app], 1, () => subscribe(ws, PRESENCE_CHANGED));
}

function about(changes: Changes, user: TestUser): PresenceView[] {
  return changes.events.map((e) => e.presenceChanged).filter((p) => p.userId === user.id);
}

/** Waits for the `count`-th change about `user`, and returns it. */
async function nth(changes: Changes, user: TestUser, count: number, timeoutMs = 10_000) {
  await waitUntil(
    () => about(changes, user).length >= count,
    `change ${count} about ${user.username} (have ${JSON.stringify(about(changes, user))}; errors ${JSON.stringify(changes.errors)})`,
    timeoutMs,
  );
  return about(changes, user)[count - 1];
}

async function presenceOf(url: string, token: string, ids: string[]): Promise<PresenceView[]> {
  return (await gqlOk(url, PRESENCE, { ids }, token)).presence;
}

describe('presence across two instances', () => {
  it('tells a contact on another instance that a user came ONLINE, and nobody else', async () => {
    const [alice, dave, erin, zed] = await registerUsers(a.url, ['alice', 'dave', 'erin', 'zed']);
    await createConversation(a.url, alice.token, [dave.id]);
    await createConversation(a.url, erin.token, [alice.id]);
    const erinSees = await watch(b, erin, [alice]);
    const aliceSees = await watch(a, alice, [dave]);
    // Zed shares nothing with anyone: his subscription is live, and must stay silent.
    const zedSees = await listen(a, zed);
    // Erin hears about Alice, whom she shares a conversation with.
    expect((await nth(erinSees, alice, 1)).status).toBe('ONLINE');

    await connect(b.wsUrl, dave);
    expect(await nth(aliceSees, dave, 1)).toEqual({
      userId: dave.id,
      status: 'ONLINE',
      lastSeenAt: null,
    });
    expect((await presenceOf(a.url, zed.token, [dave.id]))[0].status).toBe('ONLINE');

    await sleep(500);
    expect(about(erinSees, dave)).toEqual([]);
    expect(about(erinSees, alice)).toHaveLength(1);
    expect(zedSees.events).toEqual([]);
    expect(zedSees.errors).toEqual([]);
    expect([...aliceSees.errors, ...erinSees.errors]).toEqual([]);
  });

  it('keeps a user ONLINE while any connection is open, and says OFFLINE once, after the grace period, when the last closes', async () => {
    const [alice, dave] = await registerUsers(a.url, ['alice', 'dave']);
    await createConversation(a.url, alice.token, [dave.id]);
    const aliceSees = await watch(a, alice, [dave]);

    const first = await connect(b.wsUrl, dave);
    await nth(aliceSees, dave, 1);
    const second = await connect(a.wsUrl, dave);
    await first.dispose();
    await sleep(QUIET_MS);
    expect(about(aliceSees, dave)).toHaveLength(1);
    expect((await presenceOf(b.url, alice.token, [dave.id]))[0].status).toBe('ONLINE');

    const closedAt = Date.now();
    await second.dispose();
    const offline = await nth(aliceSees, dave, 2, GRACE_MS + 1000 + SLACK_MS);
    const heardAt = Date.now();
    expect(offline.status).toBe('OFFLINE');
    expect(heardAt - closedAt).toBeGreaterThanOrEqual(GRACE_MS - 100);
    const lastSeen = new Date(offline.lastSeenAt!).getTime();
    expect(lastSeen).toBeGreaterThanOrEqual(closedAt - 1000);
    expect(lastSeen).toBeLessThanOrEqual(heardAt);

    await sleep(QUIET_MS);
    expect(about(aliceSees, dave).map((p) => p.status)).toEqual(['ONLINE', 'OFFLINE']);
    // Both instances answer the same, and PostgreSQL keeps the time.
    for (const app of [a, b]) {
      expect(await presenceOf(app.url, alice.token, [dave.id])).toEqual([offline]);
    }
    const [row] = await db.query('SELECT last_seen_at FROM users WHERE id = $1', [dave.id]);
    expect(new Date(row.last_seen_at).getTime()).toBe(lastSeen);
  });

  it('announces nothing when a user drops and reconnects within the grace period', async () => {
    const [alice, dave] = await registerUsers(a.url, ['alice', 'dave']);
    await createConversation(a.url, alice.token, [dave.id]);
    const aliceSees = await watch(a, alice, [dave]);
    const first = await connect(a.wsUrl, dave);
    await nth(aliceSees, dave, 1);

    await first.dispose();
    await sleep(GRACE_MS / 5);
    await connect(b.wsUrl, dave);
    await sleep(QUIET_MS + TTL_MS);
    expect(about(aliceSees, dave).map((p) => p.status)).toEqual(['ONLINE']);
    expect((await presenceOf(a.url, alice.token, [dave.id]))[0].status).toBe('ONLINE');
  });

  it('says OFFLINE, from a surviving instance, for the users of an instance killed with SIGKILL', async () => {
    const [alice, carol] = await registerUsers(a.url, ['alice', 'carol']);
    await createConversation(a.url, alice.token, [carol.id]);
    const doomed = await spawnApp(clusterEnv(db.url, prefix, TIMINGS));
    cleanups.push(() => doomed.close());
    const aliceSees = await watch(a, alice, [carol]);
    // A socket left open to a dead process: it is the server that disappears.
    const carolWs = await connectWs(doomed.wsUrl, carol.token);
    cleanups.push(() => carolWs.dispose());
    await nth(aliceSees, carol, 1);

    const killedAt = Date.now();
    doomed.process.kill('SIGKILL');
    await doomed.exited;
    const offline = await nth(aliceSees, carol, 2, TTL_MS + GRACE_MS + 1000 + SLACK_MS);
    expect(offline.status).toBe('OFFLINE');
    // Its last renewal, at most a TTL before the kill.
    const lastSeen = new Date(offline.lastSeenAt!).getTime();
    expect(lastSeen).toBeLessThanOrEqual(killedAt);
    expect(lastSeen).toBeGreaterThanOrEqual(killedAt - TTL_MS);
    await sleep(QUIET_MS);
    expect(about(aliceSees, carol)).toHaveLength(2);
    expect(await presenceOf(b.url, alice.token, [carol.id])).toEqual([offline]);
  }, 60_000);

  it('says OFFLINE after the grace period for the users of an instance shut down with SIGTERM', async () => {
    const [alice, carol] = await registerUsers(a.url, ['alice', 'carol']);
    await createConversation(a.url, alice.token, [carol.id]);
    const leaving = await spawnApp(clusterEnv(db.url, prefix, TIMINGS));
    cleanups.push(() => leaving.close());
    const aliceSees = await watch(a, alice, [carol]);
    const carolWs = await connectWs(leaving.wsUrl, carol.token);
    cleanups.push(() => carolWs.dispose());
    await nth(aliceSees, carol, 1);

    const stoppedAt = Date.now();
    leaving.process.kill('SIGTERM');
    expect(await leaving.exited).toEqual({ code: 0, signal: null });
    // Shutting down closed the socket and handed Carol's claim to the grace period, not an error.
    expect(leaving.output()).not.toMatch(/"level":(50|60)|presence \w+ failed/);
    const offline = await nth(aliceSees, carol, 2, GRACE_MS + 1000 + SLACK_MS);
    expect(offline.status).toBe('OFFLINE');
    const lastSeen = new Date(offline.lastSeenAt!).getTime();
    expect(lastSeen).toBeGreaterThanOrEqual(stoppedAt - 1000);
    await sleep(QUIET_MS);
    expect(about(aliceSees, carol)).toHaveLength(2);
  }, 60_000);

  it('answers presence for up to 500 ids in order, and refuses 501 with BAD_USER_INPUT', async () => {
    const [alice, dave] = await registerUsers(a.url, ['alice', 'dave']);
    await connect(b.wsUrl, dave);
    const unknown = '00000000-0000-4000-8000-000000000000';
    const ids = [dave.id, alice.id, unknown, ...Array.from({ length: 497 }, () => dave.id)];
    const answer = await presenceOf(a.url, alice.token, ids);
    expect(answer).toHaveLength(500);
    expect(answer.slice(0, 3)).toEqual([
      { userId: dave.id, status: 'ONLINE', lastSeenAt: null },
      { userId: alice.id, status: 'OFFLINE', lastSeenAt: null },
      { userId: unknown, status: 'OFFLINE', lastSeenAt: null },
    ]);
    const refused = await gql(a.url, PRESENCE, { ids: [...ids, alice.id] }, alice.token);
    expect(errorCode(refused)).toBe('BAD_USER_INPUT');
    expect(errorCode(await gql(a.url, PRESENCE, { ids: [dave.id] }))).toBe('UNAUTHENTICATED');
  });

  it('resolves User.presence for a page of 50 users with one store read', async () => {
    const [alice] = await registerUsers(a.url, ['alice']);
    const tag = `page_${randomBytes(3).toString('hex')}`;
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      const [row] = await db.query(
        `INSERT INTO users (username, display_name, password_hash, last_seen_at)
         VALUES ($1, $1, 'x', $2) RETURNING id`,
        [`${tag}_${String(i).padStart(2, '0')}`, i === 0 ? '2030-01-02T03:04:05.000Z' : null],
      );
      ids.push(row.id);
    }
    const online = await registerUser(a.url, `${tag}_zz`);
    await connect(a.wsUrl, online);

    const store = a.app.get(PresenceStore);
    const read = vi.spyOn(store, 'read');
    const page = await gqlOk(
      a.url,
      `query($s: String) { users(search: $s, first: 60) { edges { node { id presence { status lastSeenAt } } } } }`,
      { s: tag },
      alice.token,
    );
    expect(read).toHaveBeenCalledTimes(1);
    expect(read.mock.calls[0][0]).toHaveLength(51);
    read.mockRestore();
    const nodes = page.users.edges.map((e: any) => e.node);
    expect(nodes).toHaveLength(51);
    expect(nodes[0]).toEqual({
      id: ids[0],
      presence: { status: 'OFFLINE', lastSeenAt: '2030-01-02T03:04:05.000Z' },
    });
    expect(nodes[50].presence).toEqual({ status: 'ONLINE', lastSeenAt: null });
    const me = await gqlOk(a.url, `{ me { presence { status } } }`, {}, online.token);
    expect(me.me.presence.status).toBe('ONLINE');
  });

  it('keeps a heartbeat client ONLINE for one TTL', async () => {
    const [alice, dave] = await registerUsers(a.url, ['alice', 'dave']);
    await createConversation(a.url, alice.token, [dave.id]);
    const aliceSees = await watch(a, alice, [dave]);
    const beatAt = Date.now();
    expect((await gqlOk(b.url, `mutation { heartbeat }`, {}, dave.token)).heartbeat).toBe(true);
    await nth(aliceSees, dave, 1);
    const offline = await nth(aliceSees, dave, 2, TTL_MS + 1000 + SLACK_MS);
    // Not before the TTL the heartbeat bought has (nearly) run out.
    expect(Date.now() - beatAt).toBeGreaterThanOrEqual(TTL_MS - 500);
    expect(offline.status).toBe('OFFLINE');
    expect(new Date(offline.lastSeenAt!).getTime()).toBeGreaterThanOrEqual(beatAt - 1000);
  }, 30_000);
});

describe('presence across a Redis restart', () => {
  let redis: PrivateRedis;
  let r1: InProcessApp;
  let r2: InProcessApp;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    const env = clusterEnv(db.url, uniqueRedisPrefix(), { ...TIMINGS, REDIS_URL: redis.url });
    [r1, r2] = await Promise.all([startApp(env), startApp(env)]);
  });
  afterAll(async () => {
    await Promise.allSettled([r1?.close(), r2?.close()]);
    await redis?.stop();
  });

  it('is right again within a TTL, and subscriptions keep working', async () => {
    const [alice, dave, erin] = await registerUsers(r1.url, ['alice', 'dave', 'erin']);
    await createConversation(r1.url, alice.token, [dave.id]);
    await createConversation(r1.url, alice.token, [erin.id]);
    const aliceSees = await watch(r1, alice, [dave, erin]);
    const daveWs = await connect(r2.wsUrl, dave);
    const erinWs = await connect(r1.wsUrl, erin);
    await nth(aliceSees, dave, 1);
    await nth(aliceSees, erin, 1);

    // Redis loses everything; Erin leaves while it is down.
    await redis.stop();
    await erinWs.dispose();
    await redis.start();

    await waitUntil(
      async () => {
        const answer = await gql(r1.url, PRESENCE, { ids: [dave.id, erin.id] }, alice.token);
        const statuses = (answer.data?.presence ?? []).map((p: PresenceView) => p.status);
        return statuses.join() === 'ONLINE,OFFLINE';
      },
      'presence right after the restart',
      TTL_MS + GRACE_MS + 2000 + SLACK_MS,
    );
    expect((await nth(aliceSees, erin, 2)).status).toBe('OFFLINE');

    await daveWs.dispose();
    expect((await nth(aliceSees, dave, 2, GRACE_MS + 1000 + SLACK_MS)).status).toBe('OFFLINE');
    await sleep(QUIET_MS);
    expect(about(aliceSees, dave).map((p) => p.status)).toEqual(['ONLINE', 'OFFLINE']);
    expect(about(aliceSees, erin).map((p) => p.status)).toEqual(['ONLINE', 'OFFLINE']);
  }, 60_000);
});

describe('presence without Redis (one instance, in memory)', () => {
  let solo: InProcessApp;

  beforeAll(async () => {
    solo = await startApp(testEnv({ DATABASE_URL: db.url, ...TIMINGS }));
  });
  afterAll(async () => {
    await solo?.close();
  });

  it('follows the same rules: ONLINE, second tab, grace, OFFLINE once with lastSeenAt', async () => {
    const [alice, dave, zed] = await registerUsers(solo.url, ['alice', 'dave', 'zed']);
    await createConversation(solo.url, alice.token, [dave.id]);
    const aliceSees = await watch(solo, alice, [dave]);
    const zedSees = await listen(solo, zed);

    const first = await connect(solo.wsUrl, dave);
    expect((await nth(aliceSees, dave, 1)).status).toBe('ONLINE');
    const second = await connect(solo.wsUrl, dave);
    await first.dispose();
    await sleep(QUIET_MS);
    expect(about(aliceSees, dave)).toHaveLength(1);

    // Drop and come back within the grace period: no change.
    await second.dispose();
    await sleep(GRACE_MS / 5);
    const third = await connect(solo.wsUrl, dave);
    await sleep(QUIET_MS);
    expect(about(aliceSees, dave)).toHaveLength(1);

    const closedAt = Date.now();
    await third.dispose();
    const offline = await nth(aliceSees, dave, 2, GRACE_MS + 1000 + SLACK_MS);
    expect(offline.status).toBe('OFFLINE');
    expect(Date.now() - closedAt).toBeGreaterThanOrEqual(GRACE_MS - 100);
    expect(new Date(offline.lastSeenAt!).getTime()).toBeGreaterThanOrEqual(closedAt - 1000);
    await sleep(QUIET_MS);
    expect(about(aliceSees, dave)).toHaveLength(2);
    expect(zedSees.events).toEqual([]);
    expect(zedSees.errors).toEqual([]);
    expect(await presenceOf(solo.url, alice.token, [dave.id])).toEqual([offline]);
  }, 30_000);
});
