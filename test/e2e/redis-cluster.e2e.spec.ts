/**
 * Two instances on a real Redis Cluster (REDIS_CLUSTER_NODES; three masters, three replicas):
 * delivery goes through sharded pub/sub, presence and rate limits hold across instances with
 * their keys hash-tagged, and neither a master killed mid-burst (its replica takes over) nor a
 * slot moved mid-stream loses or repeats a message for a client (PostgreSQL is the record; the
 * stream fills gaps, a resumed client gets exactly the rest).
 */
import { describe, expect, it } from 'vitest';
import { PresenceWatchers } from '../../src/presence/presence.watchers.js';
import { storedSeqs } from '../support/database.js';
import { createConversation, MESSAGE_ADDED, RESUME, sendMessage } from '../support/factories.js';
import { useApp, useRedisCluster, useSockets } from '../support/fixtures.js';
import { errorCode, gql, gqlOk, registerUsers, type TestUser } from '../support/gql.js';
import { sleep, until, waitUntil } from '../support/wait.js';
import {
  eventsBeforeSentinel,
  subscribe,
  waitForSubscriptions,
  type Subscription,
} from '../support/ws.js';

// Room for a burst of 20 and the sentinels after it; the limit test reaches it on purpose.
const SENDS_PER_MINUTE = 60;
const cluster = useRedisCluster();
const {
  apps: [a, b],
  db,
  env,
} = useApp({
  instances: 2,
  env: () => ({
    REDIS_URL: undefined,
    REDIS_CLUSTER_NODES: cluster.seeds,
    PRESENCE_TTL_SECONDS: '3',
    PRESENCE_GRACE_MS: '500',
    RATE_LIMITS: 'on',
    RATE_LIMIT_SENDS: `${SENDS_PER_MINUTE}/1m`,
    RATE_LIMIT_REGISTRATIONS_PER_IP: '1000/1h',
  }),
});
const open = useSockets();

const SEND = `mutation($i: SendMessageInput!) { sendMessage(input: $i) { seq } }`;
const PRESENCE_CHANGED = `subscription { presenceChanged { userId status lastSeenAt } }`;

const userChannel = (user: TestUser) => `${env.REDIS_PREFIX}user:${user.id}`;
const slotOf = (name: string) => cluster.keySlot(name);
/** How many connections SSUBSCRIBE to `channel`, asked of the master that owns it now. */
const shardSubscribers = async (channel: string) => {
  const owner = await cluster.masterOf(await slotOf(channel));
  return Number((await cluster.cli(owner, 'PUBSUB', 'SHARDNUMSUB', channel)).trim().split('\n')[1]);
};

/** Sends `count` messages as `from`, a little apart, calling `midway` after the first `at`. */
async function burst(
  from: TestUser,
  conversationId: string,
  count: number,
  at: number,
  midway: () => Promise<unknown>,
): Promise<unknown[]> {
  const failures: unknown[] = [];
  let during: Promise<unknown> | undefined;
  for (let i = 1; i <= count; i++) {
    // Settled here, thrown below: a failure of the change itself fails the test, once.
    if (i === at + 1)
      during = midway().then(
        () => undefined,
        (error: unknown) => error,
      );
    // Alternate instances: both keep committing while Redis changes under them.
    const app = i % 2 ? a : b;
    await sendMessage(app.url, from.token, conversationId, `m${i}`).catch((e: unknown) =>
      failures.push(e),
    );
    await sleep(15);
  }
  const error = await during;
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return failures;
}

/**
 * Sends sentinels until `sub` hears one. Right after a failover or a slot move, a sender's
 * first publishes may still go to the old owner and be lost there (they are in PostgreSQL);
 * the first one heard makes the stream read everything before it.
 */
async function untilHeard(
  sub: Subscription<any>,
  send: (text: string) => Promise<unknown>,
): Promise<void> {
  const heard = () => sub.events.some((e) => String(e.messageAdded.text).startsWith('sentinel'));
  for (let i = 1; !heard(); i++) {
    if (i > 30) throw new Error('no sentinel heard after 30 tries');
    await send(`sentinel ${i}`);
    if (await until(heard, 500)) return;
  }
}

describe('a Redis Cluster under two instances', () => {
  it('delivers across instances through sharded pub/sub, to every member and nobody else', async () => {
    const [alice, bob, carol, dan, erin, stranger] = await registerUsers(a.url, [
      'alice',
      'bob',
      'carol',
      'dan',
      'erin',
      'stranger',
    ]);
    const members = [bob, carol, dan, erin];
    const group = await createConversation(
      a.url,
      alice.token,
      members.map((m) => m.id),
      'group',
    );
    const alone = await createConversation(a.url, alice.token, [stranger.id], 'stranger');
    const [memberSubs, strangerSub] = await waitForSubscriptions([a, b], 5, async () => [
      await Promise.all(members.map(async (m) => subscribe(await open(b, m), MESSAGE_ADDED))),
      subscribe(await open(b, stranger), MESSAGE_ADDED),
    ]);

    // The members' channels live on several slots; each is subscribed with SSUBSCRIBE on the
    // master that owns it (a classic SUBSCRIBE would show in PUBSUB NUMSUB instead).
    const channel = userChannel(bob);
    const owner = await cluster.masterOf(await slotOf(channel));
    expect(await shardSubscribers(channel)).toBe(1);
    expect((await cluster.cli(owner, 'PUBSUB', 'NUMSUB', channel)).trim().split('\n')).toEqual([
      channel,
      '0',
    ]);

    const sent = await sendMessage(a.url, alice.token, group.id, 'hello group');
    for (const sub of memberSubs) {
      const [event] = await sub.waitFor(1);
      expect(event.messageAdded).toEqual(sent);
    }
    const before = await eventsBeforeSentinel(
      strangerSub,
      () => sendMessage(a.url, alice.token, alone.id, 'sentinel'),
      (e) => e.messageAdded.text === 'sentinel',
    );
    expect(before).toEqual([]);
  });

  it('keeps presence across instances: ONLINE on connect, OFFLINE once after the grace', async () => {
    const users = await registerUsers(a.url, ['watcher', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6']);
    const [watcher, ...contacts] = users;
    for (const c of contacts) await createConversation(a.url, watcher.token, [c.id]);
    const seen = subscribe<{ presenceChanged: { userId: string; status: string } }>(
      await open(a, watcher),
      PRESENCE_CHANGED,
    );
    const about = (u: TestUser) =>
      seen.events.map((e) => e.presenceChanged).filter((p) => p.userId === u.id);
    // Wait until A watches every contact, so no change can be missed.
    const watchers = a.app.get(PresenceWatchers);
    await waitUntil(() => contacts.every((c) => watchers.isWatching(c.id)), 'watching contacts');
    const sockets = await Promise.all(contacts.map((c) => open(b, c)));
    for (const c of contacts) await waitUntil(() => about(c).length >= 1, `${c.username} ONLINE`);
    const answer = await gqlOk(
      a.url,
      `query($ids: [ID!]!) { presence(userIds: $ids) { userId status } }`,
      { ids: contacts.map((c) => c.id) },
      watcher.token,
    );
    expect(answer.presence.map((p: { status: string }) => p.status)).toEqual(
      contacts.map(() => 'ONLINE'),
    );
    // Their state is spread over several presence shards, each one hash tag (one slot).
    const tags = new Set(
      (
        await Promise.all(
          (await cluster.masters()).map((port) =>
            cluster.cli(port, '--scan', '--pattern', `${env.REDIS_PREFIX}presence:*:state:*`),
          ),
        )
      )
        .flatMap((out) => out.split('\n').filter(Boolean))
        .map((key) => /presence:(\{p\d+\}):state:/.exec(key)?.[1]),
    );
    expect(tags.size).toBeGreaterThan(1);
    expect([...tags].every(Boolean)).toBe(true);

    await Promise.all(sockets.map((ws) => ws.dispose()));
    for (const c of contacts) {
      await waitUntil(() => about(c).length >= 2, `${c.username} OFFLINE`, 15_000);
    }
    // A sentinel: one more change, about someone else, travels the same path afterwards.
    const [late] = await registerUsers(a.url, ['late']);
    await createConversation(a.url, watcher.token, [late.id]);
    await waitUntil(() => watchers.isWatching(late.id), 'watching the sentinel');
    await open(b, late);
    await waitUntil(() => about(late).length >= 1, 'the sentinel');
    for (const c of contacts) {
      expect(about(c).map((p) => p.status)).toEqual(['ONLINE', 'OFFLINE']);
    }
  }, 40_000);

  it('counts one rate limit across both instances', async () => {
    const [alice, bob] = await registerUsers(a.url, ['limited', 'other']);
    const c = await createConversation(a.url, alice.token, [bob.id]);
    for (let i = 0; i < SENDS_PER_MINUTE; i++) {
      await sendMessage(i % 2 ? a.url : b.url, alice.token, c.id, `s${i}`);
    }
    for (const app of [a, b]) {
      const res = await gql(
        app.url,
        SEND,
        { i: { conversationId: c.id, text: 'over' } },
        alice.token,
      );
      expect(errorCode(res)).toBe('TOO_MANY_REQUESTS');
    }
    // Bob's own limit is untouched.
    await sendMessage(b.url, bob.token, c.id, 'bob is fine');
    expect((await storedSeqs(db, c.id)).length).toBe(SENDS_PER_MINUTE + 1);
  });

  it('loses nothing when the master of a channel dies mid-burst and its replica takes over', async () => {
    const [alice, bob] = await registerUsers(a.url, ['alice', 'bob']);
    const c = await createConversation(a.url, alice.token, [bob.id]);
    const bobWs = await open(b, bob);
    const live = await waitForSubscriptions([b], 1, () =>
      subscribe(bobWs, RESUME, { c: c.id, s: 0 }),
    );
    const victim = await cluster.masterOf(await slotOf(userChannel(bob)));

    const failures = await burst(alice, c.id, 20, 8, async () => {
      await cluster.nodes.find((n) => n.port === victim)!.kill();
    });
    await cluster.waitHealthy();
    expect(await cluster.masterOf(await slotOf(userChannel(bob)))).not.toBe(victim);
    expect(failures).toEqual([]);

    const all = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(await storedSeqs(db, c.id)).toEqual(all);
    // The live subscription heard the rest after the failover, and read what it missed from
    // PostgreSQL: a message sent now (once B hears Bob's channel again) brings it up to date.
    await waitUntil(
      async () => (await shardSubscribers(userChannel(bob))) > 0,
      "B to listen on Bob's channel on its new master",
      15_000,
    );
    await untilHeard(live, (text) => sendMessage(a.url, alice.token, c.id, text));
    const stored = await storedSeqs(db, c.id);
    // Every stored message once, in order, none missing: 1–20 and the sentinels after them.
    await live.waitFor(stored.length);
    expect(live.events.map((e) => e.messageAdded.seq)).toEqual(stored);
    expect(stored.slice(0, 20)).toEqual(all);
    // A client that resumes from the middle gets exactly the rest, once.
    const resumed = subscribe(bobWs, RESUME, { c: c.id, s: 10 });
    await resumed.waitFor(stored.length - 10);
    expect(resumed.events.map((e) => e.messageAdded.seq)).toEqual(stored.slice(10));
  }, 60_000);

  it('loses nothing when the slot of a channel moves to another master mid-stream', async () => {
    await cluster.waitHealthy();
    const [alice, bob] = await registerUsers(a.url, ['alice', 'bob']);
    const c = await createConversation(a.url, alice.token, [bob.id]);
    const slot = await slotOf(userChannel(bob));
    const from = await cluster.masterOf(slot);
    const to = (await cluster.masters()).find((port) => port !== from)!;
    // Alice's channel stays on Bob's old master: a send's two SPUBLISHes then share one
    // auto-pipeline there, one answered, one MOVED (which ioredis does not follow by itself).
    const aliceSlot = await slotOf(userChannel(alice));
    if (aliceSlot !== slot) await cluster.moveSlot(aliceSlot, from);
    const bobWs = await open(a, bob);
    const live = await waitForSubscriptions([a], 1, () =>
      subscribe(bobWs, RESUME, { c: c.id, s: 0 }),
    );

    const failures = await burst(alice, c.id, 20, 8, () => cluster.moveSlot(slot, to));
    expect(failures).toEqual([]);
    expect(await cluster.masterOf(slot)).toBe(to);
    const all = Array.from({ length: 20 }, (_, i) => i + 1);
    await untilHeard(live, (text) => sendMessage(b.url, alice.token, c.id, text));
    const stored = await storedSeqs(db, c.id);
    await live.waitFor(stored.length);
    expect(live.events.map((e) => e.messageAdded.seq)).toEqual(stored);
    expect(stored.slice(0, 20)).toEqual(all);
  }, 60_000);
});
