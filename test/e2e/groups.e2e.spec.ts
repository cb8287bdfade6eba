/**
 * Roles in groups, on two instances over Redis: the creator is the OWNER, there is always
 * exactly one, the owner leaving hands the role on, who may add, remove, set roles and change the
 * title or avatar (FORBIDDEN otherwise, NOT_FOUND to strangers, BAD_USER_INPUT in direct
 * conversations, nothing stored on any refusal), and a removed member gets their own event, then
 * nothing: their subscriptions to the conversation complete.
 */
import { describe, expect, it } from 'vitest';
import { allChanges, CONVERSATION_EVENTS, type ChangeEvent } from '../support/changes.js';
import { createConversation, MESSAGE_ADDED, sendMessage } from '../support/factories.js';
import { png, upload } from '../support/files.js';
import { useApp, useSockets, useUsers } from '../support/fixtures.js';
import { errorCode, gql, gqlOk, type GqlResponse } from '../support/gql.js';
import { eventsBeforeSentinel, subscribe, waitForSubscriptions } from '../support/ws.js';

const {
  db,
  apps: [a, b],
} = useApp({ instances: 2 });
const open = useSockets();
const [alice, bob, carol, dave, erin] = useUsers(a, ['alice', 'bob', 'carol', 'dave', 'erin']);

const MEMBERS = `query($c: ID!) { conversation(id: $c) { lastEventSeq members { user { id } role joinedAt } } }`;
const SET_ROLE = `mutation($c: ID!, $u: ID!, $r: ConversationRole!) {
  setParticipantRole(conversationId: $c, userId: $u, role: $r) { id lastEventSeq members { user { id } role } }
}`;
const REMOVE = `mutation($c: ID!, $u: ID!) {
  removeParticipant(conversationId: $c, userId: $u) { id members { user { id } role } }
}`;
const UPDATE = `mutation($input: UpdateConversationInput!) {
  updateConversation(input: $input) { id title avatarUrl lastEventSeq }
}`;
const ADD = `mutation($c: ID!, $u: [ID!]!) { addParticipants(conversationId: $c, userIds: $u) { id } }`;
const LEAVE = `mutation($c: ID!) { leaveConversation(conversationId: $c) }`;

const lastEventSeq = async (conversationId: string) =>
  (await db.query('SELECT last_event_seq FROM conversations WHERE id = $1', [conversationId]))[0]
    .last_event_seq as number;

async function roles(conversationId: string, token = alice.token) {
  const { conversation } = await gqlOk(a.url, MEMBERS, { c: conversationId }, token);
  return Object.fromEntries(
    conversation.members.map((m: { user: { id: string }; role: string }) => [m.user.id, m.role]),
  );
}

/** A refused request: its code (and fields), with nothing stored and no eventSeq used. */
async function refused(conversationId: string, request: () => Promise<GqlResponse>) {
  const before = await lastEventSeq(conversationId);
  const beforeRoles = await db.query(
    'SELECT user_id, role, left_at FROM participants WHERE conversation_id = $1 ORDER BY user_id',
    [conversationId],
  );
  const res = await request();
  expect(res.data ?? null).toBeNull();
  expect(await lastEventSeq(conversationId)).toBe(before);
  expect(
    await db.query(
      'SELECT user_id, role, left_at FROM participants WHERE conversation_id = $1 ORDER BY user_id',
      [conversationId],
    ),
  ).toEqual(beforeRoles);
  return errorCode(res);
}

const group = (title: string) =>
  createConversation(a.url, alice.token, [bob.id, carol.id, dave.id], title);

describe('roles', () => {
  it('makes the creator OWNER; the owner sets roles and hands ownership over', async () => {
    const c = await group('roles');
    expect(await roles(c.id)).toEqual({
      [alice.id]: 'OWNER',
      [bob.id]: 'MEMBER',
      [carol.id]: 'MEMBER',
      [dave.id]: 'MEMBER',
    });
    await gqlOk(b.url, SET_ROLE, { c: c.id, u: bob.id, r: 'ADMIN' }, alice.token);
    const handed = await gqlOk(b.url, SET_ROLE, { c: c.id, u: carol.id, r: 'OWNER' }, alice.token);
    expect(handed.setParticipantRole.lastEventSeq).toBe(7);
    expect(await roles(c.id)).toEqual({
      [alice.id]: 'ADMIN',
      [bob.id]: 'ADMIN',
      [carol.id]: 'OWNER',
      [dave.id]: 'MEMBER',
    });
    const { events } = await allChanges(a.url, dave.token, c.id, 4);
    expect(events.map((e) => [e.eventSeq, e.change, e.user!.id, e.role, e.actor?.id])).toEqual([
      [5, 'MEMBER_ROLE_CHANGED', bob.id, 'ADMIN', alice.id],
      [6, 'MEMBER_ROLE_CHANGED', alice.id, 'ADMIN', alice.id],
      [7, 'MEMBER_ROLE_CHANGED', carol.id, 'OWNER', alice.id],
    ]);
  });

  it('hands the role to the earliest admin when the owner leaves, else the earliest member', async () => {
    // Members added in one call join at the same instant; Carol joins after Bob, so Bob is
    // the earliest member once Dave (the admin) is gone.
    const c = await createConversation(a.url, alice.token, [bob.id, dave.id], 'succession');
    await gqlOk(a.url, ADD, { c: c.id, u: [carol.id] }, alice.token);
    await gqlOk(a.url, SET_ROLE, { c: c.id, u: dave.id, r: 'ADMIN' }, alice.token);
    await gqlOk(b.url, LEAVE, { c: c.id }, alice.token);
    expect(await roles(c.id, bob.token)).toEqual({
      [bob.id]: 'MEMBER',
      [carol.id]: 'MEMBER',
      [dave.id]: 'OWNER',
    });
    await gqlOk(b.url, LEAVE, { c: c.id }, dave.token);
    expect(await roles(c.id, bob.token)).toEqual({ [bob.id]: 'OWNER', [carol.id]: 'MEMBER' });
    const owners = await db.query(
      `SELECT count(*)::int AS n FROM participants WHERE conversation_id = $1 AND role = 'OWNER' AND left_at IS NULL`,
      [c.id],
    );
    expect(owners[0].n).toBe(1);
  });

  it('lets owner and admins add, remove and rename; refuses everyone else, storing nothing', async () => {
    const c = await group('permissions');
    await gqlOk(a.url, SET_ROLE, { c: c.id, u: bob.id, r: 'ADMIN' }, alice.token);
    // A member: no adds, removals, renames or roles.
    expect(await refused(c.id, () => gql(a.url, ADD, { c: c.id, u: [erin.id] }, carol.token))).toBe(
      'FORBIDDEN',
    );
    expect(
      await refused(c.id, () => gql(a.url, REMOVE, { c: c.id, u: dave.id }, carol.token)),
    ).toBe('FORBIDDEN');
    expect(
      await refused(c.id, () =>
        gql(a.url, UPDATE, { input: { conversationId: c.id, title: 'mine' } }, carol.token),
      ),
    ).toBe('FORBIDDEN');
    expect(
      await refused(c.id, () =>
        gql(a.url, SET_ROLE, { c: c.id, u: dave.id, r: 'ADMIN' }, carol.token),
      ),
    ).toBe('FORBIDDEN');
    // An admin: members only, and no roles.
    expect(await refused(c.id, () => gql(b.url, REMOVE, { c: c.id, u: alice.id }, bob.token))).toBe(
      'FORBIDDEN',
    );
    expect(
      await refused(c.id, () =>
        gql(b.url, SET_ROLE, { c: c.id, u: dave.id, r: 'ADMIN' }, bob.token),
      ),
    ).toBe('FORBIDDEN');
    // A stranger: nothing exists.
    for (const request of [
      () => gql(a.url, REMOVE, { c: c.id, u: dave.id }, erin.token),
      () => gql(a.url, SET_ROLE, { c: c.id, u: dave.id, r: 'ADMIN' }, erin.token),
      () => gql(a.url, UPDATE, { input: { conversationId: c.id, title: 'x' } }, erin.token),
      () => gql(a.url, REMOVE, { c: 'nope', u: dave.id }, alice.token),
    ]) {
      expect(await refused(c.id, request)).toBe('NOT_FOUND');
    }
    // Bad input.
    expect(
      await refused(c.id, () => gql(a.url, REMOVE, { c: c.id, u: erin.id }, alice.token)),
    ).toBe('BAD_USER_INPUT');
    expect(
      await refused(c.id, () =>
        gql(a.url, SET_ROLE, { c: c.id, u: alice.id, r: 'MEMBER' }, alice.token),
      ),
    ).toBe('BAD_USER_INPUT');
    expect(
      await refused(c.id, () =>
        gql(a.url, UPDATE, { input: { conversationId: c.id, title: '' } }, alice.token),
      ),
    ).toBe('BAD_USER_INPUT');
    const direct = await createConversation(a.url, alice.token, [erin.id]);
    expect(
      await refused(direct.id, () => gql(a.url, REMOVE, { c: direct.id, u: erin.id }, alice.token)),
    ).toBe('BAD_USER_INPUT');
    expect(
      await refused(direct.id, () =>
        gql(a.url, UPDATE, { input: { conversationId: direct.id, title: 'x' } }, alice.token),
      ),
    ).toBe('BAD_USER_INPUT');

    // What they may do.
    await gqlOk(b.url, ADD, { c: c.id, u: [erin.id] }, bob.token);
    await gqlOk(b.url, REMOVE, { c: c.id, u: erin.id }, bob.token);
    const renamed = await gqlOk(
      b.url,
      UPDATE,
      { input: { conversationId: c.id, title: 'renamed' } },
      bob.token,
    );
    expect(renamed.updateConversation.title).toBe('renamed');
    await gqlOk(a.url, REMOVE, { c: c.id, u: bob.id }, alice.token);
    expect(Object.keys(await roles(c.id)).sort()).toEqual([alice.id, carol.id, dave.id].sort());
  });

  it('takes an image uploaded to the conversation as its avatar, and nothing else', async () => {
    const c = await group('avatar');
    const image = await upload(a.url, bob.token, c.id, png(), 'me.png', 'image/png');
    const text = await upload(a.url, bob.token, c.id, 'just text', 'a.txt', 'text/plain');
    const other = await createConversation(a.url, alice.token, [erin.id], 'other');
    const foreign = await upload(a.url, alice.token, other.id, png(), 'x.png', 'image/png');
    for (const id of [text.body.id, foreign.body.id, 'nope']) {
      const code = await refused(c.id, () =>
        gql(
          a.url,
          UPDATE,
          { input: { conversationId: c.id, avatarAttachmentId: id } },
          alice.token,
        ),
      );
      expect(code).toBe('BAD_USER_INPUT');
    }
    const { updateConversation } = await gqlOk(
      b.url,
      UPDATE,
      { input: { conversationId: c.id, avatarAttachmentId: image.body.id } },
      alice.token,
    );
    expect(updateConversation.avatarUrl).toBe(`/files/${image.body.id}`);
    const { events } = await allChanges(a.url, carol.token, c.id, 4);
    expect(events).toEqual([
      {
        __typename: 'ConversationUpdatedEvent',
        eventSeq: 5,
        conversationId: c.id,
        change: 'CONVERSATION_UPDATED',
        conversation: { id: c.id, title: 'avatar', avatarUrl: `/files/${image.body.id}` },
      },
    ]);
    const served = await fetch(`${b.url}${updateConversation.avatarUrl}`, {
      headers: { authorization: `Bearer ${dave.token}` },
    });
    expect(served.status).toBe(200);
  });
});

describe('a removed member', () => {
  it('gets their own MEMBER_REMOVED, then nothing; their subscriptions to it complete', async () => {
    const c = await group('removal');
    const wsDave = await open(b, dave);
    const [changes, messages, everything] = await waitForSubscriptions([b], 3, () => [
      subscribe<{ conversationEvents: ChangeEvent }>(wsDave, CONVERSATION_EVENTS, { c: c.id }),
      subscribe(wsDave, MESSAGE_ADDED, { c: c.id }),
      subscribe<{ conversationEvents: ChangeEvent }>(wsDave, CONVERSATION_EVENTS, {}),
    ]);
    await gqlOk(a.url, REMOVE, { c: c.id, u: dave.id }, alice.token);
    await Promise.all([changes.ended, messages.ended]);
    expect(changes.completed && messages.completed).toBe(true);
    expect(
      changes.events.map((e) => [
        e.conversationEvents.change,
        e.conversationEvents.role,
        e.conversationEvents.actor?.id,
      ]),
    ).toEqual([['MEMBER_REMOVED', null, alice.id]]);
    expect(messages.events).toEqual([]);

    // What the group does afterwards never reaches them; a conversation of theirs is the sentinel.
    await sendMessage(a.url, alice.token, c.id, 'after');
    await gqlOk(a.url, UPDATE, { input: { conversationId: c.id, title: 'after' } }, alice.token);
    const sentinel = await createConversation(a.url, erin.token, [dave.id], 'sentinel');
    const before = await eventsBeforeSentinel(
      everything,
      () => sendMessage(a.url, erin.token, sentinel.id, 'sentinel'),
      (e) => e.conversationEvents.message?.text === 'sentinel',
    );
    expect(
      before
        .filter((e) => e.conversationEvents.conversationId === c.id)
        .map((e) => e.conversationEvents.change),
    ).toEqual(['MEMBER_REMOVED']);
    const again = await gql(
      a.url,
      `query($c: ID!) { conversationChanges(conversationId: $c, afterEventSeq: 0) { endEventSeq } }`,
      { c: c.id },
      dave.token,
    );
    expect(errorCode(again)).toBe('NOT_FOUND');
  });
});
