/**
 * Presence as users see it, on two instances sharing PostgreSQL and Redis (TTL 3 s, grace 1 s):
 * ONLINE while any connection is open anywhere, OFFLINE once after the last closes and the grace
 * passes, no flapping on a quick reconnect, a killed instance's users going OFFLINE, a Redis
 * restart healed within a TTL, and the same rules without Redis on a single instance.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { PresenceStore } from '../../src/presence/presence.store.js';
import { PresenceWatchers } from '../../src/presence/presence.watchers.js';
import { spawnApp, type InProcessApp, type RunningApp } from '../support/app.js';
import { createConversation } from '../support/factories.js';
import {
  useApp,
  useCleanups,
  useDatabase,
  usePrivateRedis,
  useSockets,
} from '../support/fixtures.js';
import {
  errorCode,
  gql,
  gqlOk,
  registerUser,
  registerUsers,
  type TestUser,
} from '../support/gql.js';
import { sleep, waitUntil } from '../support/wait.js';
import {
  connectWs,
  eventsBeforeSentinel,
  subscribe,
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

const db = useDatabase();
const {
  apps: [a, b],
  env: siblingEnv,
} = useApp({ instances: 2, db, env: TIMINGS });
const defer = useCleanups();
const open = useSockets();

/** Subscribes `user` to presenceChanged on `app`, and waits until that instance hears `contacts`. */
async function watch(app: InProcessApp, user: TestUser, contacts: TestUser[]): Promise<Changes> {
  const changes: Changes = subscribe(await open(app, user), PRESENCE_CHANGED);
  const watchers = app.app.get(PresenceWatchers);
  await waitUntil(() => contacts.every((c) => watchers.isWatching(c.id)), 'watching contacts');
  return changes;
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

/**
 * Sam, a contact of the watcher and online on `app` through `ws`, is the sentinel for "nothing
 * more happened": he drops, is heard OFFLINE once the grace has passed and a sweep ran, comes
 * back and is heard ONLINE. Whatever a sweep announced by then about anyone whose grace began
 * no later than his, the watcher has heard before that. Answers his new socket.
 */
async function sentinel(sees: Changes, sam: TestUser, ws: WsClient, app: RunningApp) {
  const heard = about(sees, sam).length;
  await ws.dispose();
  expect((await nth(sees, sam, heard + 1, GRACE_MS + 1000 + SLACK_MS)).status).toBe('OFFLINE');
  const again = await open(app, sam);
  expect((await nth(sees, sam, heard + 2)).status).toBe('ONLINE');
  return again;
}

/**
 * The same through the TTL: Hugh's heartbeat now makes a claim that expires one TTL later; once
 * the watcher has heard him go OFFLINE and come back (a second heartbeat), it has heard whatever
 * expired before him. Hugh may be ONLINE already (from an earlier call): then no ONLINE comes
 * first.
 */
async function ttlSentinel(sees: Changes, hugh: TestUser, app: RunningApp) {
  let heard = about(sees, hugh).length;
  const wasOnline = about(sees, hugh).at(-1)?.status === 'ONLINE';
  const beat = () => gqlOk(app.url, `mutation { heartbeat }`, {}, hugh.token);
  await beat();
  if (!wasOnline) expect((await nth(sees, hugh, ++heard)).status).toBe('ONLINE');
  expect((await nth(sees, hugh, ++heard, TTL_MS + 1000 + SLACK_MS)).status).toBe('OFFLINE');
  await beat();
  expect((await nth(sees, hugh, heard + 1)).status).toBe('ONLINE');
}

describe('presence across two instances', () => {
  it('tells a contact on another instance that a user came ONLINE, and nobody else', async () => {
    const [alice, dave, erin, zed, sam] = await registerUsers(a.url, [
      'alice',
      'dave',
      'erin',
      'zed',
      'sam',
    ]);
    await createConversation(a.url, alice.token, [dave.id]);
    await createConversation(a.url, erin.token, [alice.id]);
    // Sam is the sentinel: the only contact Zed has, and one of Erin's.
    await createConversation(a.url, sam.token, [erin.id]);
    await createConversation(a.url, sam.token, [zed.id]);
    const erinSees = await watch(b, erin, [alice, sam]);
    const aliceSees = await watch(a, alice, [dave]);
    const zedSees = await watch(a, zed, [sam]);
    // Erin hears about Alice, whom she shares a conversation with.
    expect((await nth(erinSees, alice, 1)).status).toBe('ONLINE');

    await open(b, dave);
    expect(await nth(aliceSees, dave, 1)).toEqual({
      userId: dave.id,
      status: 'ONLINE',
      lastSeenAt: null,
    });
    expect((await presenceOf(a.url, zed.token, [dave.id]))[0].status).toBe('ONLINE');

    // Sam comes online on the instance Dave did, after him: once Zed and Erin hear Sam, they
    // would have heard Dave.
    const isSam = (e: { presenceChanged: PresenceView }) => e.presenceChanged.userId === sam.id;
    expect(await eventsBeforeSentinel(zedSees, () => open(b, sam), isSam)).toEqual([]);
    const erinHeard = await eventsBeforeSentinel(erinSees, async () => undefined, isSam);
    expect(erinHeard.map((e) => e.presenceChanged.userId)).toEqual([alice.id]);
    expect([...aliceSees.errors, ...erinSees.errors, ...zedSees.errors]).toEqual([]);
  });

  it('keeps a user ONLINE while any connection is open, and says OFFLINE once, after the grace period, when the last closes', async () => {
    const [alice, dave, sam, hugh] = await registerUsers(a.url, ['alice', 'dave', 'sam', 'hugh']);
    await createConversation(a.url, alice.token, [dave.id]);
    await createConversation(a.url, alice.token, [sam.id]);
    await createConversation(a.url, alice.token, [hugh.id]);
    const aliceSees = await watch(a, alice, [dave, sam, hugh]);
    const samWs = await open(b, sam);
    await nth(aliceSees, sam, 1);

    const first = await open(b, dave);
    await nth(aliceSees, dave, 1);
    const second = await open(a, dave);
    await first.dispose();
    // Hugh's heartbeat, just after Dave's first connection closed, expires a TTL later: Dave,
    // still connected on A, must not have been announced OFFLINE by then (by grace or expiry).
    await ttlSentinel(aliceSees, hugh, b);
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

    // Said once: no second OFFLINE by the time Sam's is heard.
    await sentinel(aliceSees, sam, samWs, b);
    expect(about(aliceSees, dave).map((p) => p.status)).toEqual(['ONLINE', 'OFFLINE']);
    // Both instances answer the same, and PostgreSQL keeps the time.
    for (const app of [a, b]) {
      expect(await presenceOf(app.url, alice.token, [dave.id])).toEqual([offline]);
    }
    const [row] = await db.query('SELECT last_seen_at FROM users WHERE id = $1', [dave.id]);
    expect(new Date(row.last_seen_at).getTime()).toBe(lastSeen);
  }, 30_000);

  it('announces nothing when a user drops and reconnects within the grace period', async () => {
    const [alice, dave, hugh] = await registerUsers(a.url, ['alice', 'dave', 'hugh']);
    await createConversation(a.url, alice.token, [dave.id]);
    await createConversation(a.url, alice.token, [hugh.id]);
    const aliceSees = await watch(a, alice, [dave, hugh]);
    const first = await open(a, dave);
    await nth(aliceSees, dave, 1);

    await first.dispose();
    await sleep(GRACE_MS / 5);
    await open(b, dave);
    // Hugh's heartbeat, made after Dave's new claim, expires after it: had the grace period or
    // the renewal of that claim failed, Dave's OFFLINE would come first.
    await ttlSentinel(aliceSees, hugh, b);
    expect(about(aliceSees, dave).map((p) => p.status)).toEqual(['ONLINE']);
    expect((await presenceOf(a.url, alice.token, [dave.id]))[0].status).toBe('ONLINE');
  }, 30_000);

  it('says OFFLINE, from a surviving instance, for the users of an instance killed with SIGKILL', async () => {
    const [alice, carol, sam] = await registerUsers(a.url, ['alice', 'carol', 'sam']);
    await createConversation(a.url, alice.token, [carol.id]);
    await createConversation(a.url, alice.token, [sam.id]);
    const doomed = await spawnApp(siblingEnv);
    defer(() => doomed.close());
    const aliceSees = await watch(a, alice, [carol, sam]);
    // A socket left open to a dead process: it is the server that disappears.
    const carolWs = await connectWs(doomed.wsUrl, carol.token);
    defer(() => carolWs.dispose());
    await nth(aliceSees, carol, 1);
    const samWs = await open(b, sam);
    await nth(aliceSees, sam, 1);

    const killedAt = Date.now();
    doomed.process.kill('SIGKILL');
    await doomed.exited;
    const offline = await nth(aliceSees, carol, 2, TTL_MS + GRACE_MS + 1000 + SLACK_MS);
    expect(offline.status).toBe('OFFLINE');
    // Its last renewal, at most a TTL before the kill.
    const lastSeen = new Date(offline.lastSeenAt!).getTime();
    expect(lastSeen).toBeLessThanOrEqual(killedAt);
    expect(lastSeen).toBeGreaterThanOrEqual(killedAt - TTL_MS);
    await sentinel(aliceSees, sam, samWs, b);
    expect(about(aliceSees, carol)).toHaveLength(2);
    expect(await presenceOf(b.url, alice.token, [carol.id])).toEqual([offline]);
  }, 60_000);

  it('says OFFLINE after the grace period for the users of an instance shut down with SIGTERM', async () => {
    const [alice, carol, sam] = await registerUsers(a.url, ['alice', 'carol', 'sam']);
    await createConversation(a.url, alice.token, [carol.id]);
    await createConversation(a.url, alice.token, [sam.id]);
    const leaving = await spawnApp(siblingEnv);
    defer(() => leaving.close());
    const aliceSees = await watch(a, alice, [carol, sam]);
    const carolWs = await connectWs(leaving.wsUrl, carol.token);
    defer(() => carolWs.dispose());
    await nth(aliceSees, carol, 1);
    const samWs = await open(b, sam);
    await nth(aliceSees, sam, 1);

    const stoppedAt = Date.now();
    leaving.process.kill('SIGTERM');
    expect(await leaving.exited).toEqual({ code: 0, signal: null });
    // Shutting down closed the socket and handed Carol's claim to the grace period, not an error.
    expect(leaving.output()).not.toMatch(/"level":(50|60)|presence \w+ failed/);
    const offline = await nth(aliceSees, carol, 2, GRACE_MS + 1000 + SLACK_MS);
    expect(offline.status).toBe('OFFLINE');
    const lastSeen = new Date(offline.lastSeenAt!).getTime();
    expect(lastSeen).toBeGreaterThanOrEqual(stoppedAt - 1000);
    await sentinel(aliceSees, sam, samWs, b);
    expect(about(aliceSees, carol)).toHaveLength(2);
  }, 60_000);

  it('answers presence for up to 500 ids in order, and refuses 501 with BAD_USER_INPUT', async () => {
    const [alice, dave] = await registerUsers(a.url, ['alice', 'dave']);
    await open(b, dave);
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
    await open(a, online);

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
  const redis = usePrivateRedis();
  const {
    apps: [r1, r2],
  } = useApp({ instances: 2, db, env: () => ({ ...TIMINGS, REDIS_URL: redis.url }) });

  it('is right again within a TTL, and subscriptions keep working', async () => {
    const [alice, dave, erin, sam] = await registerUsers(r1.url, ['alice', 'dave', 'erin', 'sam']);
    await createConversation(r1.url, alice.token, [dave.id]);
    await createConversation(r1.url, alice.token, [erin.id]);
    await createConversation(r1.url, alice.token, [sam.id]);
    const aliceSees = await watch(r1, alice, [dave, erin, sam]);
    const daveWs = await open(r2, dave);
    const erinWs = await open(r1, erin);
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
    const samWs = await open(r2, sam);
    await nth(aliceSees, sam, 1);

    await daveWs.dispose();
    expect((await nth(aliceSees, dave, 2, GRACE_MS + 1000 + SLACK_MS)).status).toBe('OFFLINE');
    await sentinel(aliceSees, sam, samWs, r2);
    expect(about(aliceSees, dave).map((p) => p.status)).toEqual(['ONLINE', 'OFFLINE']);
    expect(about(aliceSees, erin).map((p) => p.status)).toEqual(['ONLINE', 'OFFLINE']);
  }, 60_000);
});

describe('presence without Redis (one instance, in memory)', () => {
  const { app: solo } = useApp({ db, env: TIMINGS });

  it('follows the same rules: ONLINE, second tab, grace, OFFLINE once with lastSeenAt', async () => {
    const [alice, dave, zed, sam, hugh] = await registerUsers(solo.url, [
      'alice',
      'dave',
      'zed',
      'sam',
      'hugh',
    ]);
    await createConversation(solo.url, alice.token, [dave.id]);
    // Sam and Hugh, the sentinels, are Alice's contacts; Sam is Zed's only one.
    await createConversation(solo.url, alice.token, [sam.id]);
    await createConversation(solo.url, alice.token, [hugh.id]);
    await createConversation(solo.url, zed.token, [sam.id]);
    const aliceSees = await watch(solo, alice, [dave, sam, hugh]);
    const zedSees = await watch(solo, zed, [sam]);
    const samWs = await open(solo, sam);
    await nth(aliceSees, sam, 1);

    const first = await open(solo, dave);
    expect((await nth(aliceSees, dave, 1)).status).toBe('ONLINE');
    const second = await open(solo, dave);
    await first.dispose();
    await ttlSentinel(aliceSees, hugh, solo);
    expect(about(aliceSees, dave)).toHaveLength(1);

    // Drop and come back within the grace period: no change.
    await second.dispose();
    await sleep(GRACE_MS / 5);
    const third = await open(solo, dave);
    await ttlSentinel(aliceSees, hugh, solo);
    expect(about(aliceSees, dave)).toHaveLength(1);

    const closedAt = Date.now();
    await third.dispose();
    const offline = await nth(aliceSees, dave, 2, GRACE_MS + 1000 + SLACK_MS);
    expect(offline.status).toBe('OFFLINE');
    expect(Date.now() - closedAt).toBeGreaterThanOrEqual(GRACE_MS - 100);
    expect(new Date(offline.lastSeenAt!).getTime()).toBeGreaterThanOrEqual(closedAt - 1000);
    await sentinel(aliceSees, sam, samWs, solo);
    expect(about(aliceSees, dave)).toHaveLength(2);
    // Zed heard his contact Sam go and come back (the last sentinel), and nothing else.
    const samSeen = () =>
      about(zedSees, sam)
        .map((p) => p.status)
        .join();
    await waitUntil(() => samSeen().endsWith('OFFLINE,ONLINE'), `Sam's sentinel (${samSeen()})`);
    expect(zedSees.events.filter((e) => e.presenceChanged.userId !== sam.id)).toEqual([]);
    expect(zedSees.errors).toEqual([]);
    expect(await presenceOf(solo.url, alice.token, [dave.id])).toEqual([offline]);
  }, 30_000);
});
