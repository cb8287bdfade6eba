/**
 * Read state (issue 14): lastReadSeq only moves forward and stops at the last seq, sending marks
 * one's own message read, unread counts are others' live messages after lastReadSeq (mentions
 * among them), muting leaves a conversation out of unreadSummary, a late joiner starts with
 * everything read, receipts reach co-members and the reader's other devices on every instance,
 * and all of it lives in PostgreSQL (a Redis restart changes no count).
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { countQueries, type RunningApp } from '../support/app.js';
import { createConversation } from '../support/factories.js';
import {
  useApp,
  useCleanups,
  useDatabase,
  usePrivateRedis,
  useUsers,
} from '../support/fixtures.js';
import {
  errorCode,
  gql,
  gqlOk,
  registerUser,
  registerUsers,
  type TestUser,
} from '../support/gql.js';
import { waitUntil } from '../support/wait.js';
import {
  connectWs,
  eventsBeforeSentinel,
  subscribe,
  subscriptionErrorCode,
  waitForSubscriptions,
} from '../support/ws.js';

const STATE = `lastReadSeq unreadCount unreadMentionCount muted`;
const CONVERSATION = `query($id: ID!) { conversation(id: $id) { id ${STATE} members { user { id } lastReadSeq } } }`;
const MARK = `mutation($c: ID!, $s: Int!) { markConversationRead(conversationId: $c, upToSeq: $s) { id lastReadSeq unreadCount unreadMentionCount } }`;
const MUTE = `mutation($c: ID!, $m: Boolean!) { setConversationMuted(conversationId: $c, muted: $m) { id muted } }`;
const SUMMARY = `{ unreadSummary { conversationCount messageCount mentionCount } }`;
const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { id seq } }`;
const DELETE = `mutation($m: ID!) { deleteMessage(messageId: $m) { id deletedAt } }`;
const HISTORY = `query($c: ID!) { messages(conversationId: $c, last: 100) { edges { node { id seq deletedAt sender { id } mentions { id } } } } }`;
const RECEIPTS = `subscription($c: ID) { readReceipts(conversationId: $c) { conversationId userId lastReadSeq } }`;

interface Receipt {
  readReceipts: { conversationId: string; userId: string; lastReadSeq: number };
}

const send = async (
  app: RunningApp,
  user: TestUser,
  conversationId: string,
  text: string,
  mentionedUserIds: string[] = [],
): Promise<{ id: string; seq: number }> =>
  (await gqlOk(app.url, SEND, { input: { conversationId, text, mentionedUserIds } }, user.token))
    .sendMessage;
const mark = async (app: RunningApp, user: TestUser, c: string, s: number) =>
  (await gqlOk(app.url, MARK, { c, s }, user.token)).markConversationRead;
const stateOf = async (app: RunningApp, user: TestUser, id: string) =>
  (await gqlOk(app.url, CONVERSATION, { id }, user.token)).conversation;
const summaryOf = async (app: RunningApp, user: TestUser) =>
  (await gqlOk(app.url, SUMMARY, {}, user.token)).unreadSummary;

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('read state on two instances', () => {
  const {
    apps: [a, b],
    db,
  } = useApp({ instances: 2 });
  const [alice, bob, carol, dave] = useUsers(a, ['alice', 'bob', 'carol', 'dave']);
  const defer = useCleanups();

  it('marks only forward, stops at the last seq, and a send marks the sender’s own message', async () => {
    const c = await createConversation(a.url, alice.token, [bob.id, carol.id], 'marks');
    for (let i = 1; i <= 3; i++) await send(a, alice, c.id, `m${i}`);
    expect(await stateOf(b, bob, c.id)).toMatchObject({ lastReadSeq: 0, unreadCount: 3 });
    // Alice has read up to her own last message.
    expect(await stateOf(b, alice, c.id)).toMatchObject({ lastReadSeq: 3, unreadCount: 0 });

    expect(await mark(a, bob, c.id, 2)).toMatchObject({ lastReadSeq: 2, unreadCount: 1 });
    expect(await mark(b, bob, c.id, 1)).toMatchObject({ lastReadSeq: 2, unreadCount: 1 });
    expect(await mark(b, bob, c.id, 1000)).toMatchObject({ lastReadSeq: 3, unreadCount: 0 });
    await send(b, alice, c.id, 'm4');
    expect(await stateOf(a, bob, c.id)).toMatchObject({ lastReadSeq: 3, unreadCount: 1 });

    // Co-members see each other's lastReadSeq.
    const members = (await stateOf(a, carol, c.id)).members as {
      user: { id: string };
      lastReadSeq: number;
    }[];
    expect(Object.fromEntries(members.map((m) => [m.user.id, m.lastReadSeq]))).toEqual({
      [alice.id]: 4,
      [bob.id]: 3,
      [carol.id]: 0,
    });

    // Bob replies: his lastReadSeq moves to his message, past alice's unread one.
    await send(a, bob, c.id, 'reply');
    expect(await stateOf(a, bob, c.id)).toMatchObject({ lastReadSeq: 5, unreadCount: 0 });
  });

  it('marks read while the conversation row is locked: reading never takes its lock', async () => {
    const c = await createConversation(a.url, alice.token, [bob.id], 'locked');
    await send(a, alice, c.id, 'one');
    await send(a, alice, c.id, 'two');
    const holder = new pg.Client({ connectionString: db.url });
    const prober = new pg.Client({ connectionString: db.url });
    await Promise.all([holder.connect(), prober.connect()]);
    defer(() => Promise.all([holder.end(), prober.end()]));
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM conversations WHERE id = $1 FOR UPDATE', [c.id]);
    try {
      // The lock is real (a send would wait for it)...
      await expect(
        prober.query('SELECT 1 FROM conversations WHERE id = $1 FOR UPDATE NOWAIT', [c.id]),
      ).rejects.toMatchObject({ code: '55P03' });
      // ...and marking read does not wait for it.
      expect(await mark(b, bob, c.id, 5)).toMatchObject({ lastReadSeq: 2, unreadCount: 0 });
    } finally {
      await holder.query('ROLLBACK');
    }
  });

  it('refuses a foreign conversation and a negative seq, changing nothing', async () => {
    const c = await createConversation(a.url, alice.token, [bob.id], undefined);
    await send(a, alice, c.id, 'hi');
    expect(errorCode(await gql(a.url, MARK, { c: c.id, s: 1 }, dave.token))).toBe('NOT_FOUND');
    expect(errorCode(await gql(a.url, MUTE, { c: c.id, m: true }, dave.token))).toBe('NOT_FOUND');
    expect(errorCode(await gql(a.url, MARK, { c: 'nope', s: 1 }, bob.token))).toBe('NOT_FOUND');
    expect(errorCode(await gql(a.url, MARK, { c: c.id, s: -1 }, bob.token))).toBe('BAD_USER_INPUT');
    expect(await stateOf(a, bob, c.id)).toMatchObject({ lastReadSeq: 0, unreadCount: 1 });
  });

  it('counts mentions, and deleting an unread message lowers both counts', async () => {
    const c = await createConversation(a.url, alice.token, [bob.id, carol.id], 'mentions');
    const m1 = await send(a, alice, c.id, '@bob look', [bob.id]);
    await send(a, alice, c.id, '@carol look', [carol.id]);
    await send(b, carol, c.id, 'all of you', [alice.id, bob.id]);
    expect(await stateOf(a, bob, c.id)).toMatchObject({ unreadCount: 3, unreadMentionCount: 2 });
    expect(await stateOf(a, carol, c.id)).toMatchObject({ unreadCount: 0, unreadMentionCount: 0 });
    await gqlOk(b.url, DELETE, { m: m1.id }, alice.token);
    expect(await stateOf(a, bob, c.id)).toMatchObject({ unreadCount: 2, unreadMentionCount: 1 });
  });

  it('starts a late joiner with everything sent before joining read', async () => {
    const c = await createConversation(a.url, alice.token, [bob.id], 'late');
    for (let i = 1; i <= 3; i++) await send(a, alice, c.id, `before ${i}`);
    await gqlOk(
      b.url,
      `mutation($c: ID!, $u: [ID!]!) { addParticipants(conversationId: $c, userIds: $u) { id } }`,
      { c: c.id, u: [carol.id] },
      alice.token,
    );
    expect(await stateOf(b, carol, c.id)).toMatchObject({ lastReadSeq: 3, unreadCount: 0 });
    await send(a, bob, c.id, 'after');
    expect(await stateOf(b, carol, c.id)).toMatchObject({ lastReadSeq: 3, unreadCount: 1 });
  });

  it('leaves muted conversations out of unreadSummary', async () => {
    const me = await registerUser(a.url, 'muter');
    const [x, y] = await registerUsers(a.url, ['x', 'y']);
    const loud = await createConversation(a.url, x.token, [me.id, y.id], 'loud');
    const quiet = await createConversation(a.url, y.token, [me.id, x.id], 'quiet');
    await send(a, x, loud.id, 'one', [me.id]);
    await send(b, y, loud.id, 'two');
    await send(a, y, quiet.id, 'three', [me.id]);
    expect(await summaryOf(b, me)).toEqual({
      conversationCount: 2,
      messageCount: 3,
      mentionCount: 2,
    });

    expect(
      (await gqlOk(b.url, MUTE, { c: quiet.id, m: true }, me.token)).setConversationMuted,
    ).toEqual({ id: quiet.id, muted: true });
    expect(await summaryOf(a, me)).toEqual({
      conversationCount: 1,
      messageCount: 2,
      mentionCount: 1,
    });
    // Muting hides nothing of the conversation itself.
    expect(await stateOf(a, me, quiet.id)).toMatchObject({ muted: true, unreadCount: 1 });

    await gqlOk(a.url, MUTE, { c: quiet.id, m: false }, me.token);
    await mark(b, me, loud.id, 2);
    expect(await summaryOf(a, me)).toEqual({
      conversationCount: 1,
      messageCount: 1,
      mentionCount: 1,
    });
  });

  it('delivers receipts to co-members and the reader’s other devices on every instance, and to nobody else', async () => {
    const c = await createConversation(a.url, alice.token, [bob.id], 'receipts');
    const other = await createConversation(a.url, alice.token, [carol.id], 'sentinel');
    await send(a, bob, c.id, 'one');
    await send(a, bob, c.id, 'two');
    await send(a, alice, other.id, 'for carol');

    const sockets = await Promise.all([
      connectWs(a.wsUrl, alice.token), // alice's phone
      connectWs(b.wsUrl, alice.token), // alice's laptop
      connectWs(b.wsUrl, bob.token),
      connectWs(a.wsUrl, carol.token),
    ]);
    sockets.forEach((ws) => defer(() => ws.dispose()));
    const [phone, laptop, bobs, carols] = await waitForSubscriptions([a, b], 4, () => [
      subscribe<Receipt>(sockets[0], RECEIPTS, { c: c.id }),
      subscribe<Receipt>(sockets[1], RECEIPTS, {}),
      subscribe<Receipt>(sockets[2], RECEIPTS, { c: c.id }),
      subscribe<Receipt>(sockets[3], RECEIPTS, {}),
    ]);

    await mark(a, alice, c.id, 1);
    const first = { conversationId: c.id, userId: alice.id, lastReadSeq: 1 };
    for (const sub of [phone, laptop, bobs]) {
      expect((await sub.waitFor(1))[0].readReceipts).toEqual(first);
    }
    // A mark that moves nothing sends nothing; carol, not a member, hears none of it. Carol's
    // reading her own conversation is the sentinel that travels the same path.
    await mark(b, alice, c.id, 1);
    const beforeSentinel = await eventsBeforeSentinel(
      carols,
      () => mark(b, carol, other.id, 1),
      (e) => e.readReceipts.userId === carol.id,
    );
    expect(beforeSentinel).toEqual([]);
    await laptop.waitFor(2);
    expect(laptop.events.map((e) => e.readReceipts)).toEqual([
      first,
      { conversationId: other.id, userId: carol.id, lastReadSeq: 1 },
    ]);

    // A send is a receipt too: bob has read up to his own message.
    const three = await send(b, bob, c.id, 'three');
    await phone.waitFor(2);
    expect(phone.events[1].readReceipts).toEqual({
      conversationId: c.id,
      userId: bob.id,
      lastReadSeq: three.seq,
    });
    // Marks in quick succession (here on two instances) may be coalesced, but the newest
    // always arrives, and a receipt never goes back.
    await mark(a, alice, c.id, 2);
    await mark(b, alice, c.id, 3);
    const alices = () =>
      bobs.events.filter((e) => e.readReceipts.userId === alice.id).map((e) => e.readReceipts);
    await waitUntil(() => alices().some((r) => r.lastReadSeq === 3), 'bob to see alice at 3');
    const seqs = alices().map((r) => r.lastReadSeq);
    expect(seqs).toEqual([...new Set(seqs)].sort((x, y) => x - y));
    expect(seqs[0]).toBe(1);
  });

  it('completes a conversation’s receipts for a member who leaves it, and refuses a stranger', async () => {
    const c = await createConversation(a.url, alice.token, [bob.id, carol.id], 'leaving');
    const [carols, daves] = await Promise.all([
      connectWs(b.wsUrl, carol.token),
      connectWs(a.wsUrl, dave.token),
    ]);
    defer(() => carols.dispose());
    defer(() => daves.dispose());
    const refused = subscribe<Receipt>(daves, RECEIPTS, { c: c.id });
    await refused.ended;
    expect(subscriptionErrorCode(refused)).toBe('NOT_FOUND');

    const [sub] = await waitForSubscriptions([b], 1, () => [
      subscribe<Receipt>(carols, RECEIPTS, { c: c.id }),
    ]);
    await gqlOk(
      a.url,
      `mutation($c: ID!) { leaveConversation(conversationId: $c) }`,
      { c: c.id },
      carol.token,
    );
    await sub.ended;
    expect(sub.completed).toBe(true);
  });

  it('counts under a random interleaving of sends, deletes and marks equal a naive recount', async () => {
    const users = [alice, bob, carol];
    const c = await createConversation(a.url, alice.token, [bob.id, carol.id], 'random');
    const next = random(14);
    const pick = <T>(items: T[]) => items[Math.floor(next() * items.length)];
    const sent = new Map<string, { id: string; seq: number }[]>(users.map((u) => [u.id, []]));
    const highest = new Map<string, number>(users.map((u) => [u.id, 0]));
    const seen = (user: TestUser, seq: number) =>
      highest.set(user.id, Math.max(highest.get(user.id)!, seq));

    const step = async (user: TestUser) => {
      const app = pick([a, b]);
      const roll = next();
      if (roll < 0.45) {
        const mentions = users.filter((u) => u !== user && next() < 0.3).map((u) => u.id);
        const message = await send(app, user, c.id, `t${roll}`, mentions);
        sent.get(user.id)!.push(message);
        seen(user, message.seq);
      } else if (roll < 0.6 && sent.get(user.id)!.length > 0) {
        await gqlOk(app.url, DELETE, { m: pick(sent.get(user.id)!).id }, user.token);
      } else {
        const upTo = Math.floor(next() * (highest.get(user.id)! + 8));
        seen(user, (await mark(app, user, c.id, upTo)).lastReadSeq);
      }
    };
    // Rounds of the three users acting at once, on either instance.
    for (let round = 0; round < 40; round++) await Promise.all(users.map(step));

    const history = (await gqlOk(a.url, HISTORY, { c: c.id }, alice.token)).messages.edges.map(
      (e: any) => e.node,
    );
    expect(history.length).toBeLessThan(100);
    for (const user of users) {
      for (const app of [a, b]) {
        const state = await stateOf(app, user, c.id);
        // lastReadSeq is the highest any answer showed (it only moves forward).
        expect(state.lastReadSeq).toBe(highest.get(user.id));
        const unread = history.filter(
          (m: any) => m.seq > state.lastReadSeq && m.sender.id !== user.id && !m.deletedAt,
        );
        expect(state.unreadCount).toBe(unread.length);
        expect(state.unreadMentionCount).toBe(
          unread.filter((m: any) => m.mentions.some((u: any) => u.id === user.id)).length,
        );
      }
    }
  });
});

describe('a conversations page with read state', () => {
  // An app of its own: the count covers every query the app runs meanwhile.
  const { app } = useApp();

  it('resolves the counts of a 50-conversation page in one more query', async () => {
    const me = await registerUser(app.url, 'pager');
    const friends = await registerUsers(app.url, ['f1', 'f2']);
    for (let i = 0; i < 50; i++) {
      const c = await createConversation(app.url, friends[i % 2].token, [me.id], `p${i}`);
      await send(app, friends[i % 2], c.id, `hello ${i}`, i % 5 === 0 ? [me.id] : []);
    }
    const page = (fields: string) =>
      countQueries(app, () =>
        gqlOk(
          app.url,
          `{ conversations(first: 50) { edges { node { id ${fields} } } } }`,
          {},
          me.token,
        ),
      );
    await page('title'); // warms what a first request of a session loads
    const plain = await page('title');
    const counted = await page(`title ${STATE}`);
    expect(counted.queries).toBe(plain.queries + 1);
    const nodes = counted.result.conversations.edges.map((e: any) => e.node);
    expect(nodes).toHaveLength(50);
    expect(nodes.every((n: any) => n.unreadCount === 1 && n.lastReadSeq === 0)).toBe(true);
    expect(nodes.filter((n: any) => n.unreadMentionCount === 1)).toHaveLength(10);
  });

  it("answers a mark's read state from the mark's own statement, not one more query", async () => {
    const me = await registerUser(app.url, 'marker');
    const friend = await registerUser(app.url, 'markfriend');
    const c = await createConversation(app.url, friend.token, [me.id], 'marks');
    for (let i = 1; i <= 4; i++) await send(app, friend, c.id, `m${i}`, i >= 3 ? [me.id] : []);
    const markWith = (fields: string, s: number) =>
      countQueries(app, () =>
        gqlOk(
          app.url,
          `mutation($c: ID!, $s: Int!) { markConversationRead(conversationId: $c, upToSeq: $s) { id ${fields} } }`,
          { c: c.id, s },
          me.token,
        ),
      );
    await markWith('', 1); // warms what a first request of a session loads
    const plain = await markWith('', 2);
    const counted = await markWith(STATE, 3);
    expect(counted.queries).toBe(plain.queries);
    const state = { lastReadSeq: 3, unreadCount: 1, unreadMentionCount: 1, muted: false };
    expect(counted.result.markConversationRead).toMatchObject(state);
    expect(await stateOf(app, me, c.id)).toMatchObject(state);
  });
});

describe('read state lives in PostgreSQL', () => {
  const db = useDatabase();
  const redis = usePrivateRedis();
  const {
    apps: [a, b],
  } = useApp({ instances: 2, db, env: () => ({ REDIS_URL: redis.url }) });

  it('answers the same counts after Redis restarts', async () => {
    const [alice, bob] = await registerUsers(a.url, ['alice', 'bob']);
    const c = await createConversation(a.url, alice.token, [bob.id], undefined);
    for (let i = 1; i <= 4; i++) await send(a, alice, c.id, `m${i}`, i === 4 ? [bob.id] : []);
    await mark(b, bob, c.id, 1);
    const before = await stateOf(b, bob, c.id);
    expect(before).toMatchObject({ lastReadSeq: 1, unreadCount: 3, unreadMentionCount: 1 });

    await redis.stop();
    await redis.start();
    await waitUntil(
      async () =>
        (await fetch(`${a.url}/health/ready`)).status === 200 &&
        (await fetch(`${b.url}/health/ready`)).status === 200,
      'apps to see Redis again',
      20_000,
    );
    for (const app of [a, b]) expect(await stateOf(app, bob, c.id)).toEqual(before);
    expect(await summaryOf(a, bob)).toEqual({
      conversationCount: 1,
      messageCount: 3,
      mentionCount: 1,
    });
  });
});
