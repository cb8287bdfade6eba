/**
 * The change stream on two instances over Redis and one PostgreSQL: every change of a
 * conversation takes the next eventSeq; conversationChanges pages and conversationEvents replays
 * show each message or member once, in its latest state, then go live without gap or repeat;
 * without a conversation, a user hears at once that they were added; a member who leaves gets
 * their own event, then nothing.
 */
import { describe, expect, it } from 'vitest';
import { allChanges, CONVERSATION_EVENTS, type ChangeEvent } from '../support/changes.js';
import { createConversation, sendMessage } from '../support/factories.js';
import { useApp, useSockets, useUsers } from '../support/fixtures.js';
import { errorCode, gql, gqlOk } from '../support/gql.js';
import {
  eventsBeforeSentinel,
  subscribe,
  subscriptionErrorCode,
  waitForSubscriptions,
} from '../support/ws.js';

const {
  apps: [a, b],
} = useApp({ instances: 2 });
const open = useSockets();
const [alice, bob, carol, dave] = useUsers(a, ['alice', 'bob', 'carol', 'dave']);

type Events = { conversationEvents: ChangeEvent }[];
const seqsOf = (events: ChangeEvent[]) => events.map((e) => e.eventSeq);
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('eventSeq', () => {
  it("numbers a group's creation, one MEMBER_JOINED per member, then each message", async () => {
    const c = await createConversation(a.url, alice.token, [bob.id, carol.id], 'numbered');
    await sendMessage(b.url, bob.token, c.id, 'one');
    await sendMessage(a.url, alice.token, c.id, 'two');
    const { events, endEventSeq } = await allChanges(b.url, carol.token, c.id);
    expect(events.map((e) => [e.eventSeq, e.change])).toEqual([
      [1, 'MEMBER_JOINED'],
      [2, 'MEMBER_JOINED'],
      [3, 'MEMBER_JOINED'],
      [4, 'MESSAGE_CREATED'],
      [5, 'MESSAGE_CREATED'],
    ]);
    expect(events.slice(0, 3).map((e) => [e.user!.id, e.role])).toEqual([
      [alice.id, 'OWNER'],
      [bob.id, 'MEMBER'],
      [carol.id, 'MEMBER'],
    ]);
    expect(events[4].message).toMatchObject({ text: 'two', seq: 2, eventSeq: 5 });
    expect(endEventSeq).toBe(5);
    const { conversation } = await gqlOk(
      a.url,
      `query($c: ID!) { conversation(id: $c) { lastEventSeq } }`,
      { c: c.id },
      bob.token,
    );
    expect(conversation.lastEventSeq).toBe(5);
  });

  it('pages conversationChanges without skipping or repeating, and NOT_FOUND to a stranger', async () => {
    const c = await createConversation(a.url, alice.token, [bob.id], 'pages');
    for (let i = 0; i < 7; i++) await sendMessage(a.url, alice.token, c.id, `p${i}`);
    const paged = await allChanges(b.url, bob.token, c.id, 0, 3);
    expect(seqsOf(paged.events)).toEqual(range(1, 9));
    expect(paged.pages).toBe(3);
    const tail = await allChanges(b.url, bob.token, c.id, 6);
    expect(seqsOf(tail.events)).toEqual([7, 8, 9]);

    const stranger = await gql(
      a.url,
      `query($c: ID!) { conversationChanges(conversationId: $c, afterEventSeq: 0) { endEventSeq } }`,
      { c: c.id },
      dave.token,
    );
    expect(errorCode(stranger)).toBe('NOT_FOUND');
    const tooMany = await gql(
      a.url,
      `query($c: ID!) { conversationChanges(conversationId: $c, afterEventSeq: 0, first: 501) { endEventSeq } }`,
      { c: c.id },
      bob.token,
    );
    expect(errorCode(tooMany)).toBe('BAD_USER_INPUT');
  });
});

describe('conversationEvents', () => {
  it('replays what changed after afterEventSeq, then goes live across instances, each once', async () => {
    const c = await createConversation(a.url, alice.token, [bob.id], 'resume');
    for (let i = 0; i < 3; i++) await sendMessage(a.url, alice.token, c.id, `before ${i}`);
    const ws = await open(b, bob);
    const sub = await waitForSubscriptions([b], 1, () =>
      subscribe<Events[number]>(ws, CONVERSATION_EVENTS, { c: c.id, after: 3 }),
    );
    await sub.waitFor(2);
    for (let i = 0; i < 3; i++) await sendMessage(a.url, alice.token, c.id, `live ${i}`);
    const events = (await sub.waitFor(5)).map((e) => e.conversationEvents);
    expect(seqsOf(events)).toEqual([4, 5, 6, 7, 8]);
    expect(events.map((e) => e.message!.text)).toEqual([
      'before 1',
      'before 2',
      'live 0',
      'live 1',
      'live 2',
    ]);
  });

  it("without a conversation: hears at once of being added to a group, then that group's changes", async () => {
    const c = await createConversation(a.url, alice.token, [bob.id], 'adding');
    const ws = await open(b, carol);
    const sub = await waitForSubscriptions([b], 1, () =>
      subscribe<Events[number]>(ws, CONVERSATION_EVENTS, {}),
    );
    await gqlOk(
      a.url,
      `mutation($c: ID!, $u: [ID!]!) { addParticipants(conversationId: $c, userIds: $u) { id } }`,
      { c: c.id, u: [carol.id] },
      alice.token,
    );
    await sendMessage(a.url, bob.token, c.id, 'welcome');
    const events = (await sub.waitFor(2)).map((e) => e.conversationEvents);
    expect(events.map((e) => [e.conversationId, e.eventSeq, e.change])).toEqual([
      [c.id, 3, 'MEMBER_JOINED'],
      [c.id, 4, 'MESSAGE_CREATED'],
    ]);
    expect(events[0]).toMatchObject({
      user: { id: carol.id },
      role: 'MEMBER',
      actor: { id: alice.id },
    });
  });

  it('gives a member who leaves their own MEMBER_LEFT, then completes; afterwards NOT_FOUND', async () => {
    const c = await createConversation(a.url, alice.token, [bob.id, carol.id], 'leaving');
    const ws = await open(b, carol);
    const mine = await waitForSubscriptions([b], 1, () =>
      subscribe<Events[number]>(ws, CONVERSATION_EVENTS, { c: c.id }),
    );
    const watcher = await waitForSubscriptions([a], 1, async () =>
      subscribe<Events[number]>(await open(a, bob), CONVERSATION_EVENTS, { c: c.id }),
    );
    await gqlOk(
      a.url,
      `mutation($c: ID!) { leaveConversation(conversationId: $c) }`,
      { c: c.id },
      carol.token,
    );
    await mine.ended;
    expect(mine.completed).toBe(true);
    expect(
      mine.events.map((e) => [e.conversationEvents.change, e.conversationEvents.role]),
    ).toEqual([['MEMBER_LEFT', null]]);
    expect(mine.events[0].conversationEvents.actor).toBeNull();
    // The others see it, and what follows.
    const seen = await eventsBeforeSentinel(
      watcher,
      () => sendMessage(a.url, alice.token, c.id, 'sentinel'),
      (e) => e.conversationEvents.message?.text === 'sentinel',
    );
    expect(seen.map((e) => e.conversationEvents.change)).toEqual(['MEMBER_LEFT']);
    const again = subscribe(ws, CONVERSATION_EVENTS, { c: c.id, after: 0 });
    await again.ended;
    expect(subscriptionErrorCode(again)).toBe('NOT_FOUND');
  });

  it('refuses afterEventSeq without a conversation', async () => {
    const sub = subscribe(await open(a, bob), CONVERSATION_EVENTS, { after: 1 });
    await sub.ended;
    expect(subscriptionErrorCode(sub)).toBe('BAD_USER_INPUT');
  });

  it('many resuming one conversation at once from different eventSeqs get exactly their changes', async () => {
    // Subscriptions starting together share their access checks and replays (one query per
    // turn, one read per conversation and eventSeq); none may get another's range, miss a change
    // or get one twice.
    const c = await createConversation(a.url, alice.token, [bob.id, carol.id, dave.id], 'storm');
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await sendMessage(a.url, alice.token, c.id, `m${i}`)).id);
    // Editing the second message moves it from eventSeq 6 to 11: 6 is superseded.
    await gqlOk(
      a.url,
      `mutation($m: ID!) { editMessage(input: { messageId: $m, text: "edited" }) { id } }`,
      { m: ids[1] },
      alice.token,
    );
    const stored = [1, 2, 3, 4, 5, 7, 8, 9, 10, 11];
    const users = [bob, carol, dave, alice];
    const sockets = await Promise.all(users.map((u, i) => open(i % 2 ? b : a, u)));
    const afters = [0, 4, 4, 6, 8, 8, 10, 11];
    const subs = await waitForSubscriptions([a, b], afters.length * users.length, () =>
      afters.flatMap((after) =>
        sockets.map((ws) => ({
          after,
          sub: subscribe<Events[number]>(ws, CONVERSATION_EVENTS, { c: c.id, after }),
        })),
      ),
    );
    await sendMessage(b.url, bob.token, c.id, 'live'); // 12, while the replays may be under way
    await sendMessage(a.url, alice.token, c.id, 'sentinel'); // 13
    for (const { after, sub } of subs) {
      const events = (
        await eventsBeforeSentinel(
          sub,
          () => Promise.resolve(),
          (e) => e.conversationEvents.message?.text === 'sentinel',
        )
      ).map((e) => e.conversationEvents);
      // Its own range once each, then the live one once: a repeat or a gap shows here.
      expect(seqsOf(events)).toEqual([...stored.filter((n) => n > after), 12]);
      if (after < 11) expect(events.find((e) => e.eventSeq === 11)!.message!.text).toBe('edited');
    }
  });
});
