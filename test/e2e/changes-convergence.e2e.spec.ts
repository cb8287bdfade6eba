/**
 * The change stream under load and absence, on two instances over Redis: mixed changes racing
 * through both instances take every eventSeq exactly once and end in one consistent state that a
 * live subscriber also reaches; a client away for edits, deletions, reactions and member changes
 * applies the replay (pushed or pulled in pages) to its old snapshot and holds what a fresh load
 * shows.
 */
import { describe, expect, it } from 'vitest';
import {
  allChanges,
  applyChanges,
  CONVERSATION_EVENTS,
  freshState,
  type ChangeEvent,
  type ClientState,
} from '../support/changes.js';
import { createConversation, sendMessage } from '../support/factories.js';
import { useApp, useSockets, useUsers } from '../support/fixtures.js';
import { gqlOk } from '../support/gql.js';
import { subscribe, waitForSubscriptions } from '../support/ws.js';
import { waitUntil } from '../support/wait.js';

const {
  db,
  apps: [a, b],
} = useApp({ instances: 2 });
const open = useSockets();
const [alice, bob, carol, dave] = useUsers(a, ['alice', 'bob', 'carol', 'dave']);

const EDIT = `mutation($m: ID!, $t: String!) { editMessage(input: { messageId: $m, text: $t }) { id } }`;
const DELETE = `mutation($m: ID!) { deleteMessage(messageId: $m) { id } }`;
const ADD = `mutation($m: ID!, $e: String!) { addReaction(messageId: $m, emoji: $e) { id } }`;
const REMOVE = `mutation($m: ID!, $e: String!) { removeReaction(messageId: $m, emoji: $e) { id } }`;
const SET_ROLE = `mutation($c: ID!, $u: ID!, $r: ConversationRole!) { setParticipantRole(conversationId: $c, userId: $u, role: $r) { id } }`;
const REMOVE_MEMBER = `mutation($c: ID!, $u: ID!) { removeParticipant(conversationId: $c, userId: $u) { id } }`;
const ADD_MEMBERS = `mutation($c: ID!, $u: [ID!]!) { addParticipants(conversationId: $c, userIds: $u) { id } }`;
const UPDATE = `mutation($c: ID!, $t: String!) { updateConversation(input: { conversationId: $c, title: $t }) { id } }`;

const lastEventSeq = async (conversationId: string) =>
  (await db.query('SELECT last_event_seq FROM conversations WHERE id = $1', [conversationId]))[0]
    .last_event_seq as number;

/** Every eventSeq held by a row of the conversation (message, membership, its own row). */
async function storedEventSeqs(conversationId: string): Promise<number[]> {
  const rows = await db.query(
    `SELECT event_seq FROM messages WHERE conversation_id = $1
     UNION ALL SELECT event_seq FROM participants WHERE conversation_id = $1
     UNION ALL SELECT event_seq FROM conversations WHERE id = $1 AND event_seq > 0`,
    [conversationId],
  );
  return rows.map((r) => r.event_seq as number).sort((x, y) => x - y);
}

/** A state in a form that compares (maps to sorted entries). */
const comparable = (state: ClientState) => ({
  messages: [...state.messages.entries()].sort(([x], [y]) => x.localeCompare(y)),
  members: [...state.members.entries()].sort(([x], [y]) => x.localeCompare(y)),
  title: state.title,
  avatarUrl: state.avatarUrl,
  lastEventSeq: state.lastEventSeq,
});

const on = (i: number) => (i % 2 ? a.url : b.url);

describe('racing changes', () => {
  it('from both instances take every eventSeq once and end in one state, live and stored', async () => {
    const c = await createConversation(a.url, alice.token, [bob.id, carol.id], 'race');
    const sent = [];
    for (let i = 0; i < 4; i++) sent.push(await sendMessage(a.url, bob.token, c.id, `m${i}`));
    const base = await lastEventSeq(c.id);
    const before = await freshState(a.url, carol.token, c.id);
    const ws = await open(b, carol);
    const live = await waitForSubscriptions([b], 1, () =>
      subscribe<{ conversationEvents: ChangeEvent }>(ws, CONVERSATION_EVENTS, { c: c.id }),
    );

    const users = [alice, bob, carol];
    const emoji = ['👍', '🎉', '👩‍💻'];
    const changes: Promise<unknown>[] = [];
    sent.slice(0, 3).forEach((m, i) => {
      for (let k = 0; k < 3; k++) {
        changes.push(gqlOk(on(i + k), EDIT, { m: m.id, t: `m${i} edit ${k}` }, bob.token));
      }
      users.forEach((u, j) =>
        emoji.forEach((e, k) => changes.push(gqlOk(on(i + j + k), ADD, { m: m.id, e }, u.token))),
      );
    });
    changes.push(gqlOk(a.url, DELETE, { m: sent[3].id }, alice.token));
    changes.push(gqlOk(b.url, SET_ROLE, { c: c.id, u: carol.id, r: 'ADMIN' }, alice.token));
    for (let i = 0; i < 5; i++)
      changes.push(sendMessage(on(i), users[i % 3].token, c.id, `new ${i}`));
    await Promise.all(changes);

    // 9 edits, 27 reactions, 1 deletion, 1 role, 5 sends: each one number, none twice.
    const total = base + 43;
    expect(await lastEventSeq(c.id)).toBe(total);
    const stored = await storedEventSeqs(c.id);
    expect(new Set(stored).size).toBe(stored.length);
    expect(Math.max(...stored)).toBe(total);

    const fresh = await freshState(b.url, carol.token, c.id);
    for (const m of sent.slice(0, 3)) {
      expect(fresh.messages.get(m.id).reactions.map((r: any) => [r.count, r.reactedByMe])).toEqual([
        [3, true],
        [3, true],
        [3, true],
      ]);
      expect(fresh.messages.get(m.id).text).toMatch(/^m\d edit \d$/);
    }
    expect(fresh.messages.get(sent[3].id).deletedAt).not.toBeNull();

    // The live subscriber got increasing eventSeqs, up to the last, and holds the same state.
    await waitUntil(
      () => live.events.some((e) => e.conversationEvents.eventSeq === total),
      'the last change live',
    );
    const seqs = live.events.map((e) => e.conversationEvents.eventSeq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(new Set(seqs).size).toBe(seqs.length);
    const applied = applyChanges(
      before,
      live.events.map((e) => e.conversationEvents),
    );
    expect(comparable(applied)).toEqual(comparable(fresh));
  });
});

describe('a client that was away', () => {
  it('converges to a fresh load by applying the replay to its old snapshot', async () => {
    const c = await createConversation(a.url, alice.token, [bob.id, carol.id], 'away');
    const m = [];
    for (let i = 0; i < 6; i++) m.push(await sendMessage(a.url, bob.token, c.id, `m${i}`));
    await gqlOk(a.url, ADD, { m: m[0].id, e: '👍' }, carol.token);
    const snapshot = await freshState(a.url, carol.token, c.id);

    // While carol is away.
    await gqlOk(b.url, EDIT, { m: m[1].id, t: 'edited once' }, bob.token);
    await gqlOk(a.url, EDIT, { m: m[1].id, t: 'edited twice' }, bob.token);
    await gqlOk(b.url, DELETE, { m: m[2].id }, bob.token);
    await gqlOk(a.url, ADD, { m: m[3].id, e: '🎉' }, bob.token);
    await gqlOk(b.url, ADD, { m: m[3].id, e: '👍🏽' }, alice.token);
    await gqlOk(a.url, REMOVE, { m: m[3].id, e: '🎉' }, bob.token);
    await gqlOk(b.url, REMOVE, { m: m[0].id, e: '👍' }, carol.token);
    await gqlOk(a.url, ADD_MEMBERS, { c: c.id, u: [dave.id] }, alice.token);
    await gqlOk(b.url, SET_ROLE, { c: c.id, u: dave.id, r: 'ADMIN' }, alice.token);
    await gqlOk(a.url, REMOVE_MEMBER, { c: c.id, u: bob.id }, alice.token);
    await gqlOk(b.url, UPDATE, { c: c.id, t: 'renamed while away' }, dave.token);
    await sendMessage(b.url, dave.token, c.id, 'new while away');
    await gqlOk(a.url, DELETE, { m: m[4].id }, alice.token);

    const fresh = comparable(await freshState(b.url, carol.token, c.id));

    // Pushed: conversationEvents after the snapshot, on the other instance.
    const ws = await open(b, carol);
    const replay = subscribe<{ conversationEvents: ChangeEvent }>(ws, CONVERSATION_EVENTS, {
      c: c.id,
      after: snapshot.lastEventSeq,
    });
    await waitUntil(
      () => replay.events.some((e) => e.conversationEvents.eventSeq === fresh.lastEventSeq),
      'the replay up to the last change',
    );
    const pushed = replay.events.map((e) => e.conversationEvents);
    // Each message or member once, in its latest state.
    const keys = pushed.map((e) => e.message?.id ?? e.user?.id ?? 'conversation');
    expect(new Set(keys).size).toBe(keys.length);
    expect(comparable(applyChanges(snapshot, pushed))).toEqual(fresh);

    // Pulled: conversationChanges two at a time.
    const pulled = await allChanges(a.url, carol.token, c.id, snapshot.lastEventSeq, 2);
    expect(pulled.endEventSeq).toBe(fresh.lastEventSeq);
    expect(comparable(applyChanges(snapshot, pulled.events))).toEqual(fresh);
  });
});
