/**
 * Real-time delivery over graphql-ws: a message committed on any instance reaches every connected
 * device of every participant (and nobody else), membership is checked at send time, and a
 * client that was away resumes without gap or duplicate. Run twice: two instances over Redis,
 * and one instance with in-process pub/sub.
 */
import { describe, expect, it } from 'vitest';
import { countQueries } from '../support/app.js';
import {
  createConversation,
  MESSAGE_ADDED,
  MESSAGE_FIELDS,
  RESUME,
  sendMessage,
} from '../support/factories.js';
import { useApp, useSockets, useUsers } from '../support/fixtures.js';
import { gqlOk } from '../support/gql.js';
import {
  eventsBeforeSentinel,
  subscribe,
  subscriptionErrorCode,
  waitForSubscriptions,
  type Subscription,
} from '../support/ws.js';

/**
 * Closed sockets write their users' last-seen times after the grace period: keep those writes
 * out of the file, so the queries a test counts are its own.
 */
const env = { PRESENCE_GRACE_MS: String(3600_000) };

const setups = [
  {
    name: 'two instances over Redis',
    start: () => useApp({ instances: 2, env }).apps,
  },
  {
    name: 'one instance, in-process pub/sub',
    start: () => {
      const { app } = useApp({ env });
      return [app, app] as const;
    },
  },
];

describe.each(setups)('delivery: $name', (setup) => {
  const [a, b] = setup.start();
  const open = useSockets();
  const [alice, bob, carol] = useUsers(a, ['alice', 'bob', 'carol']);

  /** The texts a subscription got before `sentinel`, which is sent (as alice, on A) to find out. */
  const textsBefore = async (sub: Subscription<any>, conversationId: string, sentinel: string) =>
    (
      await eventsBeforeSentinel(
        sub,
        () => sendMessage(a.url, alice.token, conversationId, sentinel),
        (e) => e.messageAdded.text === sentinel,
      )
    ).map((e) => e.messageAdded.text);

  it('delivers a message sent on A to a participant on B, and nothing to a non-participant', async () => {
    const c = await createConversation(a.url, alice.token, [bob.id]);
    const withCarol = await createConversation(a.url, alice.token, [carol.id], 'with carol');
    const [bobSub, carolSub] = await waitForSubscriptions([a, b], 2, async () => [
      subscribe(await open(b, bob), MESSAGE_ADDED),
      subscribe(await open(b, carol), MESSAGE_ADDED),
    ]);
    const sent = await sendMessage(a.url, alice.token, c.id, 'hello bob');
    const [event] = await bobSub.waitFor(1);
    expect(event.messageAdded).toEqual(sent);
    // Each sentinel is sent after the message, from the same instance, to the one subscriber.
    expect(await textsBefore(carolSub, withCarol.id, 'sentinel for carol')).toEqual([]);
    expect(await textsBefore(bobSub, c.id, 'sentinel for bob')).toEqual(['hello bob']);
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
    expect(await textsBefore(only1, c1.id, 'sentinel in one')).toEqual(['in one']);
    // An ended subscription gets nothing more.
    expect(foreign.events).toHaveLength(0);
  });

  it('delivers to a user added mid-stream from then on, and nothing more to one who left', async () => {
    const group = await createConversation(a.url, alice.token, [bob.id], 'membership');
    const bobAlone = await createConversation(a.url, alice.token, [bob.id]);
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
    expect(await textsBefore(carolSub, group.id, 'sentinel for carol')).toEqual([
      'with carol',
      'after bob left',
    ]);
    expect(await textsBefore(bobSub, bobAlone.id, 'sentinel for bob')).toEqual([
      'before carol',
      'with carol',
    ]);
  });

  it("delivers each message once to each of a user's connections, on different instances", async () => {
    const c = await createConversation(a.url, alice.token, [bob.id], 'devices');
    const [phone, laptop] = await waitForSubscriptions([a, b], 2, async () => [
      subscribe(await open(a, bob), MESSAGE_ADDED),
      subscribe(await open(b, bob), MESSAGE_ADDED),
    ]);
    for (let i = 1; i <= 5; i++)
      await sendMessage(i % 2 ? a.url : b.url, alice.token, c.id, `d${i}`);
    // One sentinel, sent after them all, for both devices.
    const sentinel = sendMessage(a.url, alice.token, c.id, 'sentinel');
    for (const device of [phone, laptop]) {
      const before = await eventsBeforeSentinel(
        device,
        () => sentinel,
        (e) => e.messageAdded.text === 'sentinel',
      );
      expect(before.map((e) => e.messageAdded.seq)).toEqual([1, 2, 3, 4, 5]);
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
    await resumed.waitFor(40);
    const before = await eventsBeforeSentinel(
      resumed,
      () => sendMessage(a.url, alice.token, c.id, 'sentinel'),
      (e) => e.messageAdded.text === 'sentinel',
    );
    expect(before.map((e) => e.messageAdded.seq)).toEqual(
      Array.from({ length: 40 }, (_, i) => i + 4),
    );
    expect(before[0].messageAdded.text).toBe('missed 1');
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
    // The membership check, the page, and everything the page shows (senders, attachments,
    // reactions, replies: one statement): one each.
    expect(queries).toBe(3);
  });

  it('refuses afterSeq without a conversation', async () => {
    const sub = subscribe(await open(a, bob), `subscription { messageAdded(afterSeq: 1) { id } }`);
    await sub.ended;
    expect(subscriptionErrorCode(sub)).toBe('BAD_USER_INPUT');
  });
});
