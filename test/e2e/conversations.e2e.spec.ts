/** Conversations as clients use them: direct pairs, groups, membership, the list, and batching. */
import { describe, expect, it } from 'vitest';
import { useApp, useUsers } from '../support/fixtures.js';
import { countQueries } from '../support/app.js';
import { createConversation, sendMessage } from '../support/factories.js';
import { errorCode, gql, gqlOk, registerUser, registerUsers } from '../support/gql.js';

const { db, app } = useApp();
const [alice, bob, carol] = useUsers(app, ['alice', 'bob', 'carol']);

const CONVERSATION = `query($id: ID!) { conversation(id: $id) { id title isDirect participants { id } lastMessage { seq text } } }`;
const CREATE = `mutation($input: CreateConversationInput!) { createConversation(input: $input) { id isDirect title participants { id } } }`;
const count = async (table: string) =>
  Number((await db.query(`SELECT count(*) AS n FROM ${table}`))[0].n);

describe('direct conversations', () => {
  it('makes one conversation per pair, whoever asks and however often', async () => {
    const first = await createConversation(app.url, alice.token, [bob.id]);
    const again = await createConversation(app.url, alice.token, [bob.id]);
    const fromBob = await createConversation(app.url, bob.token, [alice.id]);
    expect(first.isDirect).toBe(true);
    expect(again.id).toBe(first.id);
    expect(fromBob.id).toBe(first.id);
  });

  it('gives both sides one conversation when they create it at the same instant', async () => {
    const [x, y] = await registerUsers(app.url, ['x', 'y']);
    const results = await Promise.all([
      ...Array.from({ length: 4 }, () => createConversation(app.url, x.token, [y.id])),
      ...Array.from({ length: 4 }, () => createConversation(app.url, y.token, [x.id])),
    ]);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    const rows = await db.query(
      `SELECT count(*) AS n FROM participants WHERE conversation_id = $1`,
      [results[0].id],
    );
    expect(Number(rows[0].n)).toBe(2);
  });

  it('cannot gain participants or be left', async () => {
    const direct = await createConversation(app.url, alice.token, [carol.id]);
    const add = await gql(
      app.url,
      `mutation { addParticipants(conversationId: "${direct.id}", userIds: ["${bob.id}"]) { id } }`,
      {},
      alice.token,
    );
    expect(errorCode(add)).toBe('BAD_USER_INPUT');
    const leave = await gql(
      app.url,
      `mutation { leaveConversation(conversationId: "${direct.id}") }`,
      {},
      alice.token,
    );
    expect(errorCode(leave)).toBe('BAD_USER_INPUT');
  });
});

describe('groups', () => {
  it('always includes the creator and lists every participant', async () => {
    const data = await gqlOk(
      app.url,
      CREATE,
      { input: { participantIds: [bob.id, carol.id, bob.id], title: ' Team ' } },
      alice.token,
    );
    expect(data.createConversation.isDirect).toBe(false);
    expect(data.createConversation.title).toBe('Team');
    expect(data.createConversation.participants.map((p: any) => p.id).sort()).toEqual(
      [alice.id, bob.id, carol.id].sort(),
    );
  });

  it('refuses unknown users, too many participants and an empty title, storing nothing', async () => {
    const before = await count('conversations');
    const unknown = await gql(
      app.url,
      CREATE,
      { input: { participantIds: [bob.id, '00000000-0000-4000-8000-000000000000'] } },
      alice.token,
    );
    expect(errorCode(unknown)).toBe('BAD_USER_INPUT');
    const malformed = await gql(
      app.url,
      CREATE,
      { input: { participantIds: ['nope', bob.id] } },
      alice.token,
    );
    expect(errorCode(malformed)).toBe('BAD_USER_INPUT');
    const tooMany = Array.from(
      { length: 1001 },
      (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    );
    expect(
      errorCode(await gql(app.url, CREATE, { input: { participantIds: tooMany } }, alice.token)),
    ).toBe('BAD_USER_INPUT');
    expect(
      errorCode(
        await gql(
          app.url,
          CREATE,
          { input: { participantIds: [bob.id], title: '  ' } },
          alice.token,
        ),
      ),
    ).toBe('BAD_USER_INPUT');
    expect(await count('conversations')).toBe(before);
  });

  it('adds participants, who then see it, and a leaver no longer does', async () => {
    const group = await createConversation(app.url, alice.token, [bob.id], 'Adders');
    expect(errorCode(await gql(app.url, CONVERSATION, { id: group.id }, carol.token))).toBe(
      'NOT_FOUND',
    );

    const added = await gqlOk(
      app.url,
      `mutation($c: ID!, $u: [ID!]!) { addParticipants(conversationId: $c, userIds: $u) { id participants { id } } }`,
      { c: group.id, u: [carol.id, bob.id] },
      alice.token,
    );
    expect(added.addParticipants.participants).toHaveLength(3);
    expect(
      (await gqlOk(app.url, CONVERSATION, { id: group.id }, carol.token)).conversation.id,
    ).toBe(group.id);

    expect(
      (
        await gqlOk(
          app.url,
          `mutation($c: ID!) { leaveConversation(conversationId: $c) }`,
          { c: group.id },
          carol.token,
        )
      ).leaveConversation,
    ).toBe(true);
    expect(errorCode(await gql(app.url, CONVERSATION, { id: group.id }, carol.token))).toBe(
      'NOT_FOUND',
    );
    const list = await gqlOk(
      app.url,
      `{ conversations(first: 200) { edges { node { id } } } }`,
      {},
      carol.token,
    );
    expect(list.conversations.edges.map((e: any) => e.node.id)).not.toContain(group.id);
  });

  it('refuses adding unknown users', async () => {
    const group = await createConversation(app.url, alice.token, [bob.id], 'Strict');
    const res = await gql(
      app.url,
      `mutation($c: ID!, $u: [ID!]!) { addParticipants(conversationId: $c, userIds: $u) { id } }`,
      { c: group.id, u: ['00000000-0000-4000-8000-000000000001'] },
      alice.token,
    );
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
  });
});

describe('the conversation list', () => {
  it('orders by latest activity and pages without skipping or repeating', async () => {
    const me = await registerUser(app.url, 'lister');
    const created: string[] = [];
    for (let i = 0; i < 5; i++)
      created.push((await createConversation(app.url, me.token, [alice.id], `c${i}`)).id);
    await sendMessage(app.url, me.token, created[1], 'bump'); // c1 becomes the most recent

    const query = `query($after: String) { conversations(first: 2, after: $after) { edges { node { id title lastMessage { text } } } pageInfo { hasNextPage endCursor } } }`;
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = (await gqlOk(app.url, query, { after }, me.token)).conversations;
      seen.push(...page.edges.map((e: any) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual([created[1], created[4], created[3], created[2], created[0]]);
  });

  it('resolves participants and lastMessage for a 50-row page in a fixed number of queries', async () => {
    const me = await registerUser(app.url, 'counter');
    const friends = await registerUsers(app.url, Array(3).fill('friend'));
    for (let i = 0; i < 50; i++) {
      const c = await createConversation(
        app.url,
        me.token,
        [friends[i % 3].id, friends[(i + 1) % 3].id],
        `g${i}`,
      );
      await sendMessage(app.url, me.token, c.id, `hello ${i}`);
    }
    const { result: data, queries } = await countQueries(app, () =>
      gqlOk(
        app.url,
        `{ conversations(first: 50) { edges { node { id participants { id username } lastMessage { seq text sender { id username } } } } } }`,
        {},
        me.token,
      ),
    );
    expect(data.conversations.edges).toHaveLength(50);
    expect(
      data.conversations.edges.every(
        (e: any) => e.node.participants.length === 3 && e.node.lastMessage.seq === 1,
      ),
    ).toBe(true);
    // The page, its participants, the last messages and their senders: one query each.
    expect(queries).toBe(4);
  });
});
