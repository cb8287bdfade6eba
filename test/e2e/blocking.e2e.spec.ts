/**
 * Blocking as the contract states it, on two instances: the blocked user cannot start a direct
 * conversation with the blocker, send in their direct conversation, or add the blocker to a group
 * (FORBIDDEN, nothing stored), and sees the blocker OFFLINE without lastSeenAt — in queries and in
 * presenceChanged, which goes quiet about the blocker (proved with a sentinel); unblocking undoes
 * all of it.
 */
import { describe, expect, it } from 'vitest';
import { PresenceWatchers } from '../../src/presence/presence.watchers.js';
import { countMessages } from '../support/database.js';
import { createConversation, sendMessage } from '../support/factories.js';
import { useApp, useSockets } from '../support/fixtures.js';
import { errorCode, gql, gqlOk, registerUsers } from '../support/gql.js';
import { waitUntil } from '../support/wait.js';
import { subscribe, waitForSubscriptions } from '../support/ws.js';

const { db, apps } = useApp({ instances: 2, env: { PRESENCE_GRACE_MS: '0' } });
const [a, b] = apps;
const connect = useSockets();

const BLOCK = 'mutation($u: ID!) { blockUser(userId: $u) }';
const UNBLOCK = 'mutation($u: ID!) { unblockUser(userId: $u) }';
const BLOCKED = '{ blockedUsers { id username } }';
const PRESENCE_OF = 'query($id: ID!) { user(id: $id) { presence { status lastSeenAt } } }';
const PRESENCE_Q = 'query($ids: [ID!]!) { presence(userIds: $ids) { userId status lastSeenAt } }';
const ADD = `mutation($c: ID!, $u: [ID!]!) { addParticipants(conversationId: $c, userIds: $u) { id } }`;
const CREATE = `mutation($input: CreateConversationInput!) { createConversation(input: $input) { id } }`;
const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { id } }`;

describe('blockUser', () => {
  it('keeps the blocked user from a new direct conversation, sends in the existing one and adding the blocker', async () => {
    const [alice, bob, carol] = await registerUsers(a.url, ['alice', 'bob', 'carol']);
    const direct = await createConversation(a.url, bob.token, [alice.id]);
    const group = await createConversation(a.url, bob.token, [carol.id], 'no alice');
    expect(await gqlOk(a.url, BLOCK, { u: bob.id }, alice.token)).toEqual({ blockUser: true });
    expect(await gqlOk(b.url, BLOCK, { u: bob.id }, alice.token)).toEqual({ blockUser: true });
    expect((await gqlOk(b.url, BLOCKED, {}, alice.token)).blockedUsers).toEqual([
      { id: bob.id, username: bob.username },
    ]);

    const send = await gql(
      b.url,
      SEND,
      { input: { conversationId: direct.id, text: 'hi?' } },
      bob.token,
    );
    expect(errorCode(send)).toBe('FORBIDDEN');
    const rest = await fetch(`${b.url}/conversations/${direct.id}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bob.token}` },
      body: JSON.stringify({ text: 'over REST' }),
    });
    expect(rest.status).toBe(403);
    expect(await countMessages(db, direct.id)).toBe(0);
    // The blocker still may write.
    await sendMessage(a.url, alice.token, direct.id, 'I can');

    // A second direct conversation of the pair, from the blocked side, would be the same one:
    // asking for it is refused like any new one.
    const again = await gql(a.url, CREATE, { input: { participantIds: [alice.id] } }, bob.token);
    expect(errorCode(again)).toBe('FORBIDDEN');
    const withAlice = await gql(
      a.url,
      CREATE,
      { input: { participantIds: [alice.id, carol.id], title: 'sneaky' } },
      bob.token,
    );
    expect(errorCode(withAlice)).toBe('FORBIDDEN');
    expect(errorCode(await gql(b.url, ADD, { c: group.id, u: [alice.id] }, bob.token))).toBe(
      'FORBIDDEN',
    );
    const members = await db.query('SELECT user_id FROM participants WHERE conversation_id = $1', [
      group.id,
    ]);
    expect(members.map((m) => m.user_id).sort()).toEqual([bob.id, carol.id].sort());
    // Others are not affected: Carol, made an admin (members cannot add), adds Alice.
    await gqlOk(
      a.url,
      `mutation($c: ID!, $u: ID!) { setParticipantRole(conversationId: $c, userId: $u, role: ADMIN) { id } }`,
      { c: group.id, u: carol.id },
      bob.token,
    );
    await gqlOk(a.url, ADD, { c: group.id, u: [alice.id] }, carol.token);

    // Unblocking undoes all of it.
    expect(await gqlOk(a.url, UNBLOCK, { u: bob.id }, alice.token)).toEqual({ unblockUser: true });
    await sendMessage(b.url, bob.token, direct.id, 'hello again');
    expect((await gqlOk(b.url, BLOCKED, {}, alice.token)).blockedUsers).toEqual([]);
  });

  it('refuses blocking oneself (BAD_USER_INPUT) and an unknown user (NOT_FOUND)', async () => {
    const [alice] = await registerUsers(a.url, ['alice']);
    expect(errorCode(await gql(a.url, BLOCK, { u: alice.id }, alice.token))).toBe('BAD_USER_INPUT');
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect(errorCode(await gql(a.url, BLOCK, { u: unknown }, alice.token))).toBe('NOT_FOUND');
  });
});

describe('presence of a blocker, to the blocked', () => {
  it('is OFFLINE without lastSeenAt, and presenceChanged goes quiet about the blocker until unblocked', async () => {
    const [alice, bob, carol] = await registerUsers(a.url, ['alice', 'bob', 'carol']);
    await createConversation(a.url, bob.token, [alice.id]);
    await createConversation(a.url, bob.token, [carol.id]);
    const bobWs = await connect(a, bob);
    const changes = await waitForSubscriptions([a], 1, () =>
      subscribe(bobWs, 'subscription { presenceChanged { userId status lastSeenAt } }'),
    );
    const watchers = a.app.get(PresenceWatchers);
    await waitUntil(
      () => watchers.isWatching(alice.id) && watchers.isWatching(carol.id),
      'bob following',
    );

    await gqlOk(b.url, BLOCK, { u: bob.id }, alice.token);
    await changes.waitFor(1);
    expect(changes.events[0].presenceChanged).toEqual({
      userId: alice.id,
      status: 'OFFLINE',
      lastSeenAt: null,
    });
    await waitUntil(() => !watchers.isWatching(alice.id), 'bob no longer following alice');

    // Alice comes online; Carol too, after her: Carol's change is the sentinel.
    await connect(b, alice);
    await connect(b, carol);
    await waitUntil(
      () => changes.events.some((e) => e.presenceChanged.userId === carol.id),
      'carol ONLINE',
    );
    const aboutAlice = changes.events.filter((e) => e.presenceChanged.userId === alice.id);
    expect(aboutAlice).toHaveLength(1);

    // Queries tell Bob the same, while Carol sees Alice online.
    const toBob = await gqlOk(b.url, PRESENCE_OF, { id: alice.id }, bob.token);
    expect(toBob.user.presence).toEqual({ status: 'OFFLINE', lastSeenAt: null });
    const many = await gqlOk(a.url, PRESENCE_Q, { ids: [alice.id, carol.id] }, bob.token);
    expect(many.presence.map((p: { status: string }) => p.status)).toEqual(['OFFLINE', 'ONLINE']);
    const toCarol = await gqlOk(a.url, PRESENCE_OF, { id: alice.id }, carol.token);
    expect(toCarol.user.presence.status).toBe('ONLINE');

    // Unblocked: Bob is told Alice's real status at once, and follows her again.
    await gqlOk(a.url, UNBLOCK, { u: bob.id }, alice.token);
    await waitUntil(
      () =>
        changes.events.some(
          (e) => e.presenceChanged.userId === alice.id && e.presenceChanged.status === 'ONLINE',
        ),
      'alice ONLINE to bob',
    );
    const after = await gqlOk(b.url, PRESENCE_OF, { id: alice.id }, bob.token);
    expect(after.user.presence.status).toBe('ONLINE');
  });
});
