/**
 * Messages through GraphQL as clients send them, on two instances sharing one database: seq is
 * 1..n without gaps under racing sends, retries are idempotent, history pages never skip or
 * repeat, and bad input changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { countMessages, storedSeqs } from '../support/database.js';
import { createConversation, MESSAGE_FIELDS, sendMessage } from '../support/factories.js';
import { useApp, useUsers } from '../support/fixtures.js';
import { errorCode, gql, gqlOk, registerUsers } from '../support/gql.js';

const {
  db,
  apps: [a, b],
} = useApp({ instances: 2 });
const [alice, bob] = useUsers(a, ['alice', 'bob']);

const MESSAGES = `query($c: ID!, $first: Int, $after: String, $last: Int, $before: String, $afterSeq: Int) {
  messages(conversationId: $c, first: $first, after: $after, last: $last, before: $before, afterSeq: $afterSeq) {
    edges { cursor node { ${MESSAGE_FIELDS} } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;
const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { ${MESSAGE_FIELDS} } }`;

describe('sending', () => {
  it('numbers 60 sends racing through two instances 1..60, each once', async () => {
    const c = await createConversation(a.url, alice.token, [bob.id], 'race');
    const sends = Array.from({ length: 60 }, (_, i) =>
      sendMessage(i % 2 ? a.url : b.url, i % 3 ? alice.token : bob.token, c.id, `m${i}`),
    );
    const results = await Promise.all(sends);
    expect(results.map((m) => m.seq).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 60 }, (_, i) => i + 1),
    );
    expect(await storedSeqs(db, c.id)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    const conversation = await db.query('SELECT last_seq FROM conversations WHERE id = $1', [c.id]);
    expect(conversation[0].last_seq).toBe(60);
  });

  it('stores one message for the same clientMessageId sent 6 times at once, and returns it every time', async () => {
    const c = await createConversation(a.url, alice.token, [bob.id], 'retries');
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        sendMessage(i % 2 ? a.url : b.url, alice.token, c.id, 'only once', 'client-id-1'),
      ),
    );
    expect(new Set(results.map((m) => m.id)).size).toBe(1);
    expect(
      results.every(
        (m) => m.seq === 1 && m.clientMessageId === 'client-id-1' && m.sender.id === alice.id,
      ),
    ).toBe(true);
    expect(await countMessages(db, c.id)).toBe(1);
    // No seq was used up by the refused duplicates.
    expect((await sendMessage(a.url, alice.token, c.id, 'next')).seq).toBe(2);
    // Another sender may use the same client id.
    expect((await sendMessage(a.url, bob.token, c.id, 'mine', 'client-id-1')).seq).toBe(3);
  });

  it('trims text and refuses empty, blank or over-long text and bad client ids, storing nothing', async () => {
    const c = await createConversation(a.url, alice.token, [bob.id], 'validation');
    expect((await sendMessage(a.url, alice.token, c.id, '  hello  ')).text).toBe('hello');
    const before = await countMessages(db, c.id);
    for (const input of [
      { text: '' },
      { text: '   \n ' },
      {},
      { text: 'x'.repeat(4001) },
      { text: 'ok', clientMessageId: '' },
      { text: 'ok', clientMessageId: 'x'.repeat(65) },
      { text: 'ok', clientMessageId: 'has space' },
    ]) {
      const res = await gql(
        a.url,
        SEND,
        { input: { conversationId: c.id, ...input } },
        alice.token,
      );
      expect(errorCode(res), JSON.stringify(input).slice(0, 80)).toBe('BAD_USER_INPUT');
    }
    expect((await sendMessage(a.url, alice.token, c.id, 'y'.repeat(4000))).text).toHaveLength(4000);
    expect(await countMessages(db, c.id)).toBe(before + 1);
  });
});

describe('history', () => {
  it('pages 130 messages back and forward while new ones arrive, every seq once and in order', async () => {
    const c = await createConversation(a.url, alice.token, [bob.id], 'history');
    for (let i = 1; i <= 130; i++)
      await sendMessage(i % 2 ? a.url : b.url, alice.token, c.id, `h${i}`);

    // Back from the newest, 25 at a time, while someone keeps sending.
    const back: number[] = [];
    let page: any = (await gqlOk(a.url, MESSAGES, { c: c.id, last: 25 }, bob.token)).messages;
    for (;;) {
      back.unshift(...page.edges.map((e: any) => e.node.seq));
      await sendMessage(b.url, bob.token, c.id, 'interrupting');
      if (!page.pageInfo.hasPreviousPage) break;
      page = (
        await gqlOk(
          a.url,
          MESSAGES,
          { c: c.id, last: 25, before: page.pageInfo.startCursor },
          bob.token,
        )
      ).messages;
    }
    expect(back).toEqual(Array.from({ length: 130 }, (_, i) => i + 1));

    // Forward from the start, 40 at a time, while someone keeps sending: ends with everything.
    const forward: number[] = [];
    let after: string | null = null;
    for (;;) {
      const res: any = (await gqlOk(b.url, MESSAGES, { c: c.id, first: 40, after }, alice.token))
        .messages;
      forward.push(...res.edges.map((e: any) => e.node.seq));
      if (!res.pageInfo.hasNextPage) break;
      await sendMessage(a.url, alice.token, c.id, 'more');
      after = res.pageInfo.endCursor;
    }
    const total = await countMessages(db, c.id);
    expect(forward).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  }, 60_000);

  it('answers the newest page by default, and afterSeq pages forward like a cursor', async () => {
    const c = await createConversation(a.url, alice.token, [bob.id], 'defaults');
    for (let i = 1; i <= 60; i++) await sendMessage(a.url, alice.token, c.id, `d${i}`);
    const newest = (await gqlOk(a.url, MESSAGES, { c: c.id }, alice.token)).messages;
    expect(newest.edges.map((e: any) => e.node.seq)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 11),
    );
    expect(newest.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });

    const fromSeq = (await gqlOk(a.url, MESSAGES, { c: c.id, afterSeq: 55 }, alice.token)).messages;
    expect(fromSeq.edges.map((e: any) => e.node.seq)).toEqual([56, 57, 58, 59, 60]);
    expect(fromSeq.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    expect(fromSeq.edges[0].node.sender.id).toBe(alice.id);
  });

  it('refuses bad paging arguments and foreign or malformed cursors with BAD_USER_INPUT', async () => {
    const c1 = await createConversation(a.url, alice.token, [bob.id], 'cursors 1');
    const c2 = await createConversation(a.url, alice.token, [bob.id], 'cursors 2');
    await sendMessage(a.url, alice.token, c1.id, 'one');
    await sendMessage(a.url, alice.token, c2.id, 'two');
    const foreign = (await gqlOk(a.url, MESSAGES, { c: c2.id, last: 1 }, alice.token)).messages
      .pageInfo.startCursor;
    const userCursor = (
      await gqlOk(a.url, `{ users(first: 1) { pageInfo { endCursor } } }`, {}, alice.token)
    ).users.pageInfo.endCursor;
    for (const args of [
      { first: 1, last: 1 },
      { first: -1 },
      { last: -5 },
      { first: 201 },
      { last: 1000 },
      { before: 'garbage!' },
      { after: foreign },
      { before: userCursor },
      { afterSeq: -1 },
      { afterSeq: 1, after: foreign },
    ]) {
      const res = await gql(a.url, MESSAGES, { c: c1.id, ...args }, alice.token);
      expect(errorCode(res), JSON.stringify(args)).toBe('BAD_USER_INPUT');
    }
  });
});

describe('visibility', () => {
  it('answers NOT_FOUND, exactly as for an unknown id, to non-participants and former participants', async () => {
    const [carol, dave] = await registerUsers(a.url, ['carol', 'dave']);
    const group = await createConversation(a.url, alice.token, [bob.id, dave.id], 'private');
    await sendMessage(a.url, alice.token, group.id, 'secret');
    await gqlOk(
      a.url,
      `mutation($c: ID!) { leaveConversation(conversationId: $c) }`,
      { c: group.id },
      dave.token,
    );
    const unknownId = '00000000-0000-4000-8000-00000000abcd';
    const before = await countMessages(db, group.id);

    const operations: [string, Record<string, unknown>][] = [
      [`query($c: ID!) { conversation(id: $c) { id } }`, {}],
      [`query($c: ID!) { messages(conversationId: $c, last: 5) { edges { cursor } } }`, {}],
      [SEND, { input: { text: 'intruder' } }],
      [
        `mutation($c: ID!) { addParticipants(conversationId: $c, userIds: ["${carol.id}"]) { id } }`,
        {},
      ],
      [`mutation($c: ID!) { leaveConversation(conversationId: $c) }`, {}],
    ];
    for (const token of [carol.token, dave.token]) {
      for (const [query, extra] of operations) {
        const vars =
          'input' in extra
            ? { input: { ...(extra.input as object), conversationId: group.id } }
            : { c: group.id };
        const stranger = await gql(a.url, query, vars, token);
        const unknownVars =
          'input' in extra
            ? { input: { ...(extra.input as object), conversationId: unknownId } }
            : { c: unknownId };
        const unknown = await gql(a.url, query, unknownVars, alice.token);
        expect(errorCode(stranger), query).toBe('NOT_FOUND');
        expect(stranger.errors![0].message).toBe(unknown.errors![0].message);
      }
    }
    // The same over REST, including the upload endpoint.
    for (const token of [carol.token, dave.token]) {
      const auth = { authorization: `Bearer ${token}` };
      const calls: [string, RequestInit][] = [
        [`/conversations/${group.id}`, { headers: auth }],
        [`/conversations/${group.id}/messages`, { headers: auth }],
        [
          `/conversations/${group.id}/messages`,
          {
            method: 'POST',
            headers: { ...auth, 'content-type': 'application/json' },
            body: '{"text":"intruder"}',
          },
        ],
        [
          `/conversations/${group.id}/file`,
          { method: 'POST', headers: auth, body: new FormData() },
        ],
      ];
      for (const [path, init] of calls) {
        const res = await fetch(`${a.url}${path}`, init);
        expect(res.status, `${init.method ?? 'GET'} ${path}`).toBe(404);
        expect(((await res.json()) as { code: string }).code).toBe('NOT_FOUND');
      }
    }
    expect(await countMessages(db, group.id)).toBe(before);
  });
});
