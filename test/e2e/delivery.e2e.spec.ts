/**
 * Real-time delivery over graphql-ws: a message committed on any instance reaches every connected
 * device of every participant (and nobody else), membership is checked at send time, and a
 * client that was away resumes without gap or duplicate. Run twice: two instances over Redis,
 * and one instance with in-process pub/sub.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clusterEnv,
  countQueries,
  startApp,
  testEnv,
  uniqueRedisPrefix,
  type InProcessApp,
} from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import {
  createConversation,
  MESSAGE_ADDED,
  MESSAGE_FIELDS,
  RESUME,
  sendMessage,
} from '../support/factories.js';
import { gqlOk, registerUsers, type TestUser } from '../support/gql.js';
import {
  connectWs,
  sleep,
  subscribe,
  subscriptionErrorCode,
  waitForSubscriptions,
  type WsClient,
} from '../support/ws.js';

interface Setup {
  name: string;
  start(db: TestDatabase): Promise<[InProcessApp, InProcessApp, () => Promise<void>]>;
}

const setups: Setup[] = [
  {
    name: 'two instances over Redis',
    async start(db) {
      const prefix = uniqueRedisPrefix();
      const [a, b] = await Promise.all([
        startApp(clusterEnv(db.url, prefix)),
        startApp(clusterEnv(db.url, prefix)),
      ]);
      return [a, b, async () => void (await Promise.all([a.close(), b.close()]))];
    },
  },
  {
    name: 'one instance, in-process pub/sub',
    async start(db) {
      const a = await startApp(testEnv({ DATABASE_URL: db.url, REDIS_URL: '' }));
      return [a, a, () => a.close()];
    },
  },
];

describe.each(setups)('delivery: $name', (setup) => {
  let db: TestDatabase;
  let a: InProcessApp;
  let b: InProcessApp;
  let stop: () => Promise<void>;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  const sockets: WsClient[] = [];
  const open = async (app: InProcessApp, user: TestUser) => {
    const ws = await connectWs(app.wsUrl, user.token);
    sockets.push(ws);
    return ws;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    [a, b, stop] = await setup.start(db);
    [alice, bob, carol] = await registerUsers(a.url, ['alice', 'bob', 'carol']);
  });
  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.dispose()));
    await stop?.();
    await db?.drop();
  });

  it('delivers a message sent on A to a participant on B, and nothing to a non-participant', async () => {
    const c = await createConversation(a.url, alice.token, [bob.id]);
    const [bobSub, carolSub] = await waitForSubscriptions([a, b], 2, async () => [
      subscribe(await open(b, bob), MESSAGE_ADDED),
      subscribe(await open(b, carol), MESSAGE_ADDED),
    ]);
    const sent = await sendMessage(a.url, alice.token, c.id, 'hello bob');
    const [event] = await bobSub.waitFor(1);
    expect(event.messageAdded).toEqual(sent);
    await sleep(1000);
    expect(carolSub.events).toEqual([]);
    expect(bobSub.events).toHaveLength(1);
  });

  it('filters by conversation, and refuses a foreign conversation with an error and no events', async () => {
    const c1 = await createConversation(a.url, alice.token, [bob.id], 'one');
    const c2 = await createConversation(a.url, alice.token, [bob.id], 'two');
    const only1 = await waitForSubscriptions([a, b], 1, async () =>
      subscribe(await open(b, bob), MESSAGE_ADDED, { c: c1.id }),
    );
    const foreign = subscribe(await open(b, carol), MESSAGE_ADDED, { c: c1.id });
    await foreign.ended;
    expect(foreign.errors).toHaveLength(1);
    expect(subscriptionErrorCode(foreign)).toBe('NOT_FOUND');
    await sendMessage(a.url, alice.token, c2.id, 'in two');
    await sendMessage(a.url, alice.token, c1.id, 'in one');
    const [event] = await only1.waitFor(1);
    expect(event.messageAdded.text).toBe('in one');
    await sleep(500);
    expect(only1.events).toHaveLength(1);
    expect(foreign.events).toHaveLength(0);
  });

  it('delivers to a user added mid-stream from then on, and nothing more to one who left', async () => {
    const group = await createConversation(a.url, alice.token, [bob.id], 'membership');
    const [carolSub, bobSub] = await waitForSubscriptions([a, b], 2, async () => [
      subscribe(await open(b, carol), MESSAGE_ADDED),
      subscribe(await open(b, bob), MESSAGE_ADDED),
    ]);
    await sendMessage(a.url, alice.token, group.id, 'before carol');
    await bobSub.waitFor(1);
    await gqlOk(
      a.url,
      `mutation($c: ID!, $u: [ID!]!) { addParticipants(conversationId: $c, userIds: $u) { id } }`,
      { c: group.id, u: [carol.id] },
      alice.token,
    );
    await sendMessage(a.url, alice.token, group.id, 'with carol');
    await carolSub.waitFor(1);
    await bobSub.waitFor(2);
    await gqlOk(
      a.url,
      `mutation($c: ID!) { leaveConversation(conversationId: $c) }`,
      { c: group.id },
      bob.token,
    );
    await sendMessage(a.url, alice.token, group.id, 'after bob left');
    await carolSub.waitFor(2);
    await sleep(500);
    expect(carolSub.events.map((e) => e.messageAdded.text)).toEqual([
      'with carol',
      'after bob left',
    ]);
    expect(bobSub.events.map((e) => e.messageAdded.text)).toEqual(['before carol', 'with carol']);
  });

  it("delivers each message once to each of a user's connections, on different instances", async () => {
    const c = await createConversation(a.url, alice.token, [bob.id], 'devices');
    const [phone, laptop] = await waitForSubscriptions([a, b], 2, async () => [
      subscribe(await open(a, bob), MESSAGE_ADDED),
      subscribe(await open(b, bob), MESSAGE_ADDED),
    ]);
    for (let i = 1; i <= 5; i++)
      await sendMessage(i % 2 ? a.url : b.url, alice.token, c.id, `d${i}`);
    await phone.waitFor(5);
    await laptop.waitFor(5);
    await sleep(300);
    for (const device of [phone, laptop]) {
      expect(device.events.map((e) => e.messageAdded.seq)).toEqual([1, 2, 3, 4, 5]);
    }
  });

  it('resumes with afterSeq: exactly the missed and the new messages, in order, once each', async () => {
    const c = await createConversation(a.url, alice.token, [bob.id], 'resume');
    for (let i = 1; i <= 3; i++) await sendMessage(a.url, alice.token, c.id, `seen ${i}`);
    const lastSeen = 3;
    // Away: 20 messages are sent.
    for (let i = 1; i <= 20; i++)
      await sendMessage(i % 2 ? a.url : b.url, alice.token, c.id, `missed ${i}`);
    // Back, while 20 more are being sent from both instances.
    const sending = (async () => {
      for (let i = 1; i <= 20; i++)
        await sendMessage(i % 2 ? b.url : a.url, alice.token, c.id, `live ${i}`);
    })();
    const resumed = subscribe(await open(b, bob), RESUME, { c: c.id, s: lastSeen });
    await sending;
    const events = await resumed.waitFor(40);
    await sleep(500);
    expect(resumed.events.map((e) => e.messageAdded.seq)).toEqual(
      Array.from({ length: 40 }, (_, i) => i + 4),
    );
    expect(events[0].messageAdded.text).toBe('missed 1');
    expect(resumed.errors).toEqual([]);
  });

  it('replays 200 stored messages with a handful of queries, not one per message', async () => {
    const c = await createConversation(a.url, alice.token, [bob.id], 'replay cost');
    for (let i = 1; i <= 200; i++) await sendMessage(a.url, alice.token, c.id, `r${i}`);
    const ws = await open(b, bob);
    const { queries, result } = await countQueries(b, async () => {
      const query = `subscription($c: ID!, $s: Int!) { messageAdded(conversationId: $c, afterSeq: $s) { ${MESSAGE_FIELDS} attachments { id } } }`;
      return subscribe(ws, query, { c: c.id, s: 0 }).waitFor(200);
    });
    expect(result.map((e: any) => e.messageAdded.seq)).toEqual(
      Array.from({ length: 200 }, (_, i) => i + 1),
    );
    expect(result[199].messageAdded.sender.id).toBe(alice.id);
    // membership, the page, its senders and attachments (presence may add its own reads)
    expect(queries).toBeGreaterThanOrEqual(2);
    expect(queries).toBeLessThan(12);
  });

  it('refuses afterSeq without a conversation', async () => {
    const sub = subscribe(await open(a, bob), `subscription { messageAdded(afterSeq: 1) { id } }`);
    await sub.ended;
    expect(subscriptionErrorCode(sub)).toBe('BAD_USER_INPUT');
  });
});
