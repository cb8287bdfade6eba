/**
 * Bad input from hostile clients is a clear client error, never a 500: NUL and control
 * characters, forged cursors, tokens of users who no longer exist, deeply nested JSON. The app is
 * a production-mode child process, so what it logs can be read: none of this may be logged as
 * an error, and nothing of it may be stored.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnApp, type ChildApp } from '../support/app.js';
import { countMessages } from '../support/database.js';
import { createConversation } from '../support/factories.js';
import { useDatabase } from '../support/fixtures.js';
import { accessToken } from '../support/tokens.js';
import { connectWs, wsFrames } from '../support/ws.js';
import WebSocket from 'ws';
import { errorCode, gql, registerUser, type GqlResponse, type TestUser } from '../support/gql.js';

const db = useDatabase();
let app: ChildApp;
let alice: TestUser;
let bob: TestUser;
let conversationId: string;
/** Where the log was read up to: each test checks only what it made the app write. */
let logMark = 0;

beforeAll(async () => {
  app = await spawnApp({ DATABASE_URL: db.url, NODE_ENV: 'production' });
  [alice, bob] = await Promise.all([registerUser(app.url, 'alice'), registerUser(app.url, 'bob')]);
  conversationId = (await createConversation(app.url, alice.token, [bob.id], 'base')).id;
});
afterAll(async () => {
  await app?.close();
});
afterEach(() => {
  const lines = app.output().slice(logMark).split('\n');
  logMark = app.output().length;
  // pino: 50 is error, 60 fatal. A client's mistake is no error of the server's.
  const errors = lines.filter((line) => /"level":(50|60)/.test(line));
  expect(errors).toEqual([]);
});

const SEND = `mutation($i: SendMessageInput!) { sendMessage(input: $i) { id text } }`;
const raw = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function rest(path: string, token: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${app.url}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      ...(init.headers as Record<string, string>),
    },
  });
}

function fieldsOf(res: GqlResponse): string[] {
  const fields = (res.errors?.[0]?.extensions?.fields ?? []) as { field: string }[];
  return fields.map((f) => f.field);
}

describe('NUL and control characters', () => {
  it('refuses NUL in message text (GraphQL and REST), naming the field, and stores nothing', async () => {
    const before = await countMessages(db, conversationId);
    const res = await gql(
      app.url,
      SEND,
      { i: { conversationId, text: 'hi\u0000there' } },
      alice.token,
    );
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(fieldsOf(res)).toEqual(['text']);

    const restRes = await rest(`/conversations/${conversationId}/messages`, alice.token, {
      method: 'POST',
      body: JSON.stringify({ text: 'rest\u0000' }),
    });
    expect(restRes.status).toBe(400);
    expect(await restRes.json()).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(await countMessages(db, conversationId)).toBe(before);
  });

  it('keeps newlines and tabs in message text, and refuses other control characters there', async () => {
    const ok = await gql(
      app.url,
      SEND,
      { i: { conversationId, text: 'one\n\ttwo\r\nthree' } },
      alice.token,
    );
    expect(ok.errors).toBeUndefined();
    expect(ok.data.sendMessage.text).toBe('one\n\ttwo\r\nthree');
    const bell = await gql(
      app.url,
      SEND,
      { i: { conversationId, text: 'ring \u0007' } },
      alice.token,
    );
    expect(errorCode(bell)).toBe('BAD_USER_INPUT');
  });

  it('refuses NUL in a display name, a title, a login, a search and a users cursor', async () => {
    const register = await gql(
      app.url,
      `mutation($i: RegisterInput!) { register(input: $i) { accessToken } }`,
      {
        i: { username: 'nul_display', password: 'correct horse battery', displayName: 'a\u0000b' },
      },
    );
    expect(errorCode(register)).toBe('BAD_USER_INPUT');
    expect(fieldsOf(register)).toEqual(['displayName']);

    const title = await gql(
      app.url,
      `mutation($i: CreateConversationInput!) { createConversation(input: $i) { id } }`,
      { i: { participantIds: [bob.id], title: 'group\u0000' } },
      alice.token,
    );
    expect(errorCode(title)).toBe('BAD_USER_INPUT');
    expect(fieldsOf(title)).toEqual(['title']);

    const login = await gql(
      app.url,
      `mutation($i: LoginInput!) { login(input: $i) { accessToken } }`,
      { i: { username: `${alice.username}\u0000`, password: 'correct horse battery' } },
    );
    expect(errorCode(login)).toBe('BAD_USER_INPUT');
    expect(fieldsOf(login)).toEqual(['username']);

    const search = await gql(
      app.url,
      `{ users(search: "a\\u0000") { edges { cursor } } }`,
      {},
      alice.token,
    );
    expect(errorCode(search)).toBe('BAD_USER_INPUT');
    expect(fieldsOf(search)).toEqual(['search']);

    const cursor = await gql(
      app.url,
      `query($a: String) { users(after: $a) { edges { cursor } } }`,
      { a: raw(['user', 'a\u0000']) },
      alice.token,
    );
    expect(errorCode(cursor)).toBe('BAD_USER_INPUT');
    expect(cursor.errors![0].message).toBe('Invalid cursor');

    const [{ n }] = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM users WHERE username = 'nul_display'`,
    );
    expect(n).toBe(0);
  });

  it('removes direction overrides and zero-width characters from display names', async () => {
    const res = await gql(
      app.url,
      `mutation($i: RegisterInput!) { register(input: $i) { user { displayName } } }`,
      {
        i: {
          username: 'bidi_name',
          password: 'correct horse battery',
          displayName: '\u202Eadmin\u200B\u2066gpj.exe\u2069\uFEFF',
        },
      },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.register.user.displayName).toBe('admingpj.exe');
  });
});

describe('forged cursors', () => {
  const MESSAGES = `query($c: ID!, $a: String, $b: String) { messages(conversationId: $c, after: $a, before: $b) { edges { cursor } } }`;

  it.each([3_000_000_000, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER])(
    'refuses a message cursor with seq %d (GraphQL and REST)',
    async (seq) => {
      const cursor = raw(['message', conversationId, seq]);
      for (const args of [{ a: cursor }, { b: cursor }]) {
        const res = await gql(app.url, MESSAGES, { c: conversationId, ...args }, alice.token);
        expect(errorCode(res)).toBe('BAD_USER_INPUT');
        expect(res.errors![0].message).toBe('Invalid cursor');
      }
      const restRes = await rest(
        `/conversations/${conversationId}/messages?cursor=${cursor}`,
        alice.token,
      );
      expect(restRes.status).toBe(400);
      expect(await restRes.json()).toMatchObject({ code: 'BAD_USER_INPUT' });
    },
  );

  it('refuses a conversation cursor with an impossible date (GraphQL and REST)', async () => {
    for (const at of ['2024-02-31T25:61:61Z', '2024-02-31T25:61:61.000Z']) {
      const cursor = raw(['conversation', at, conversationId]);
      const res = await gql(
        app.url,
        `query($a: String) { conversations(after: $a) { edges { cursor } } }`,
        { a: cursor },
        alice.token,
      );
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      const restRes = await rest(`/conversations?cursor=${cursor}`, alice.token);
      expect(restRes.status).toBe(400);
    }
  });
});

describe('tokens of users who do not exist', () => {
  const CREATE = `mutation($i: CreateConversationInput!) { createConversation(input: $i) { id } }`;

  /** What a ghost meets on every transport; `token` is valid, its user is not there. */
  async function expectRefusedEverywhere(token: string): Promise<void> {
    const create = await gql(app.url, CREATE, { i: { participantIds: [bob.id] } }, token);
    expect(errorCode(create)).toBe('UNAUTHENTICATED');
    const heartbeat = await gql(app.url, `mutation { heartbeat }`, {}, token);
    expect(errorCode(heartbeat)).toBe('UNAUTHENTICATED');
    expect((await rest('/conversations', token)).status).toBe(401);
    await expect(connectWs(app.wsUrl, token)).rejects.toThrow('closed with 4403');
  }

  it('refuses a valid token whose user was deleted, and stores nothing for it', async () => {
    const ghost = await registerUser(app.url, 'ghost');
    await db.query('DELETE FROM users WHERE id = $1', [ghost.id]);
    await expectRefusedEverywhere(ghost.token);
    const [{ n }] = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM participants WHERE user_id = $1',
      [ghost.id],
    );
    expect(n).toBe(0);
  });

  it('refuses a valid token of an id that never was a user', async () => {
    await expectRefusedEverywhere(accessToken(randomUUID()));
  });

  it('refuses a token whose sub is not a user id at verification', async () => {
    for (const sub of ['admin', "' OR 1=1 --", 'a\u0000b']) {
      const token = accessToken(sub);
      expect(errorCode(await gql(app.url, `{ me { id } }`, {}, token))).toBe('UNAUTHENTICATED');
      await expect(connectWs(app.wsUrl, token)).rejects.toThrow('closed with 4403');
    }
  });
});

describe('requests malformed at the HTTP or WebSocket level', () => {
  const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

  async function post(path: string, body: string): Promise<{ status: number; body: any }> {
    const res = await fetch(`${app.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${alice.token}` },
      body,
    });
    return { status: res.status, body: await res.json() };
  }

  it('refuses JSON nested 60,000 levels deep on /graphql and REST, before parsing it', async () => {
    const before = await countMessages(db, conversationId);
    const graphql = await post(
      '/graphql',
      `{"query":"{ me { id } }","variables":{"a":${deep(60_000)}}}`,
    );
    expect(graphql.status).toBe(400);
    expect(graphql.body.errors[0].extensions.code).toBe('BAD_REQUEST');
    const restRes = await post(
      `/conversations/${conversationId}/messages`,
      `{"text":"deep","attachmentIds":${deep(60_000)}}`,
    );
    expect(restRes.status).toBe(400);
    expect(restRes.body.code).toBe('BAD_USER_INPUT');
    // Ordinary nesting still passes.
    const fine = await post('/graphql', `{"query":"{ me { id } }","variables":{"a":${deep(20)}}}`);
    expect(fine.body.data.me.id).toBe(alice.id);
    expect(await countMessages(db, conversationId)).toBe(before);
  });

  it('closes a socket that sends a deeply nested frame with 4400', async () => {
    const socket = new WebSocket(app.wsUrl, 'graphql-transport-ws');
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(wsFrames.init(alice.token));
    socket.send(
      `{"id":"1","type":"subscribe","payload":{"query":"{ me { id } }","variables":{"a":${deep(30_000)}}}}`,
    );
    expect(await closed).toBe(4400);
  });

  it('answers a persisted-query extension with a bad hash or version with BAD_REQUEST', async () => {
    for (const persistedQuery of [
      { version: 1, sha256Hash: 'not-the-hash' },
      { version: 7, sha256Hash: 'a'.repeat(64) },
    ]) {
      const res = await post(
        '/graphql',
        JSON.stringify({ query: '{ me { id } }', extensions: { persistedQuery } }),
      );
      expect(res.status).toBe(400);
      expect(res.body.errors[0].extensions).toEqual({ code: 'BAD_REQUEST' });
    }
  });

  it('answers a subscription sent over HTTP POST with BAD_REQUEST', async () => {
    const res = await post(
      '/graphql',
      JSON.stringify({ query: 'subscription { messageAdded { id } }' }),
    );
    expect(res.status).toBe(400);
    expect(res.body.errors[0].extensions).toEqual({ code: 'BAD_REQUEST' });
    expect(res.body.errors[0].message).toMatch(/WebSocket/);
  });
});
