/**
 * The security review's probes, run together against a production-mode instance (a child
 * process, so its log can be read, on Redis like a deployment): NUL everywhere, forged cursors,
 * ghost users, deep JSON, X-Forwarded-For spoofing, introspection over WebSocket, socket floods
 * and group spam. Every one is answered as a client error, none is a 500 or an error in the log,
 * and nothing of them is stored.
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnApp, type ChildApp } from '../support/app.js';
import { countMessages } from '../support/database.js';
import { createConversation } from '../support/factories.js';
import { useDatabase, useRedisPrefix } from '../support/fixtures.js';
import { REDIS_URL } from '../support/env.js';
import { registerUser, uniqueUsername, type TestUser } from '../support/gql.js';
import { accessToken } from '../support/tokens.js';
import {
  connectWs,
  subscribe,
  subscriptionErrorCode,
  wsFrames,
  type WsClient,
} from '../support/ws.js';

const db = useDatabase();
const prefix = useRedisPrefix();
let app: ChildApp;
let alice: TestUser;
let bob: TestUser;
let conversationId: string;

beforeAll(async () => {
  app = await spawnApp({
    DATABASE_URL: db.url,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    NODE_ENV: 'production',
    RATE_LIMITS: 'on',
    RATE_LIMIT_REGISTRATIONS_PER_IP: '4/1h',
    WS_MAX_CONNECTIONS_PER_USER: '5',
  });
  [alice, bob] = await Promise.all([registerUser(app.url, 'alice'), registerUser(app.url, 'bob')]);
  conversationId = (await createConversation(app.url, alice.token, [bob.id])).id;
});
afterAll(async () => {
  await app?.close();
});

interface Answer {
  probe: string;
  status: number;
  body: string;
}

async function post(
  probe: string,
  path: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const res = await fetch(`${app.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { probe, status: res.status, body: await res.text() };
}

const graphql = (
  probe: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
  headers: Record<string, string> = {},
) =>
  post(probe, '/graphql', JSON.stringify({ query, variables }), {
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...headers,
  });

const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const SEND = `mutation($i: SendMessageInput!) { sendMessage(input: $i) { id } }`;
const REGISTER = `mutation($i: RegisterInput!) { register(input: $i) { accessToken } }`;
const CREATE = `mutation($i: CreateConversationInput!) { createConversation(input: $i) { id } }`;
const MESSAGES = `query($c: ID!, $a: String) { messages(conversationId: $c, after: $a) { edges { cursor } } }`;

function codeOf(answer: Answer): string | undefined {
  try {
    const body = JSON.parse(answer.body) as {
      code?: string;
      errors?: { extensions?: { code?: string } }[];
    };
    return body.errors?.[0]?.extensions?.code ?? body.code;
  } catch {
    return undefined;
  }
}

describe('a hostile run', () => {
  it('ends with client errors only, nothing stored and no error logged', async () => {
    const ghost = accessToken(randomUUID());
    const answers: Answer[] = [];
    const messagesBefore = await countMessages(db, conversationId);

    // NUL everywhere.
    answers.push(
      await graphql('NUL text', SEND, { i: { conversationId, text: 'a\u0000' } }, alice.token),
      await post(
        'NUL REST text',
        `/conversations/${conversationId}/messages`,
        JSON.stringify({ text: 'a\u0000' }),
        { authorization: `Bearer ${alice.token}` },
      ),
      await graphql('NUL display name', REGISTER, {
        i: {
          username: uniqueUsername('nul'),
          password: 'correct horse battery',
          displayName: '\u0000',
        },
      }),
      await graphql(
        'NUL title',
        CREATE,
        { i: { participantIds: [bob.id], title: '\u0000' } },
        alice.token,
      ),
      await graphql(
        'NUL login',
        `
          mutation ($i: LoginInput!) {
            login(input: $i) {
              accessToken
            }
          }
        `,
        {
          i: { username: 'a\u0000', password: 'x' },
        },
      ),
      await graphql(
        'NUL search',
        `
          query ($s: String) {
            users(search: $s) {
              edges {
                cursor
              }
            }
          }
        `,
        { s: '\u0000' },
        alice.token,
      ),
      await graphql(
        'NUL cursor',
        `
          query ($a: String) {
            users(after: $a) {
              edges {
                cursor
              }
            }
          }
        `,
        { a: cursor(['user', '\u0000']) },
        alice.token,
      ),
    );
    // Forged cursors.
    for (const seq of [3_000_000_000, 2 ** 53 - 1, -(2 ** 53 - 1)]) {
      answers.push(
        await graphql(
          `seq ${seq}`,
          MESSAGES,
          { c: conversationId, a: cursor(['message', conversationId, seq]) },
          alice.token,
        ),
      );
    }
    answers.push(
      await graphql(
        'impossible date',
        `
          query ($a: String) {
            conversations(after: $a) {
              edges {
                cursor
              }
            }
          }
        `,
        { a: cursor(['conversation', '2024-02-31T25:61:61Z', conversationId]) },
        alice.token,
      ),
    );
    // Ghost users.
    answers.push(
      await graphql('ghost create', CREATE, { i: { participantIds: [bob.id] } }, ghost),
      await graphql('ghost heartbeat', 'mutation { heartbeat }', {}, ghost),
    );
    await expect(connectWs(app.wsUrl, ghost)).rejects.toThrow('closed with 4403');
    // Deep JSON, persisted queries with a bad hash, a subscription over HTTP.
    answers.push(
      await post(
        'deep JSON',
        '/graphql',
        `{"query":"{ me { id } }","variables":{"a":${deep(60_000)}}}`,
        {
          authorization: `Bearer ${alice.token}`,
        },
      ),
      await post(
        'bad persisted query',
        '/graphql',
        JSON.stringify({
          query: '{ me { id } }',
          extensions: { persistedQuery: { version: 1, sha256Hash: 'x' } },
        }),
      ),
      await graphql(
        'subscription over HTTP',
        'subscription { messageAdded { id } }',
        {},
        alice.token,
      ),
    );
    const raw = new WebSocket(app.wsUrl, 'graphql-transport-ws');
    const rawClosed = new Promise<number>((resolve) => raw.once('close', (code) => resolve(code)));
    await new Promise((resolve) => raw.once('open', resolve));
    raw.send(wsFrames.init(alice.token));
    raw.send(
      `{"id":"1","type":"subscribe","payload":{"query":"{ me { id } }","variables":{"a":${deep(20_000)}}}}`,
    );
    expect(await rawClosed).toBe(4400);

    // X-Forwarded-For spoofing: the per-address registration limit (4, two used) still holds.
    const spoofed: Answer[] = [];
    for (let i = 0; i < 4; i++) {
      spoofed.push(
        await graphql(
          'spoofed registration',
          REGISTER,
          { i: { username: uniqueUsername('xff'), password: 'correct horse battery' } },
          undefined,
          { 'x-forwarded-for': `203.0.113.${i}` },
        ),
      );
    }
    expect(spoofed.map(codeOf)).toEqual([
      undefined,
      undefined,
      'TOO_MANY_REQUESTS',
      'TOO_MANY_REQUESTS',
    ]);
    answers.push(...spoofed);

    // Introspection over WebSocket, and a flood of sockets (5 per user).
    const sockets: WsClient[] = [];
    const refusedSockets: string[] = [];
    for (let i = 0; i < 8; i++) {
      try {
        sockets.push(await connectWs(app.wsUrl, bob.token));
      } catch (error) {
        refusedSockets.push(String(error));
      }
    }
    expect(sockets).toHaveLength(5);
    expect(refusedSockets).toEqual(Array.from({ length: 3 }, () => 'Error: closed with 4029'));
    const introspection = subscribe(sockets[0], '{ __schema { types { name } } }');
    await introspection.ended;
    expect(introspection.events).toEqual([]);
    expect(subscriptionErrorCode(introspection)).toBe('GRAPHQL_VALIDATION_FAILED');
    await Promise.all(sockets.map((s) => s.dispose()));

    // Group spam: 15 groups of strangers (10 a minute), and 101 members in one call.
    const strangers = [bob.id];
    const spam: Answer[] = [];
    for (let i = 0; i < 15; i++) {
      spam.push(
        await graphql(
          'group spam',
          CREATE,
          { i: { participantIds: strangers, title: `FREE CRYPTO ${i}` } },
          alice.token,
        ),
      );
    }
    expect(spam.filter((a) => codeOf(a) === 'TOO_MANY_REQUESTS')).toHaveLength(5);
    answers.push(
      ...spam,
      await graphql(
        '101 members',
        CREATE,
        { i: { participantIds: Array.from({ length: 101 }, () => randomUUID()), title: 'huge' } },
        bob.token,
      ),
    );

    // What every probe met: a client error (or, for the spam let through, success).
    const failures = answers.filter(
      (a) => a.status >= 500 || a.body.includes('INTERNAL_SERVER_ERROR'),
    );
    expect(failures).toEqual([]);
    for (const answer of answers.filter(
      (a) => a.probe !== 'group spam' && a.probe !== 'spoofed registration',
    )) {
      expect([400, 401, 413, 429, 200], answer.probe).toContain(answer.status);
      expect(codeOf(answer), answer.probe).toMatch(
        /^(BAD_USER_INPUT|BAD_REQUEST|UNAUTHENTICATED|GRAPHQL_VALIDATION_FAILED|TOO_MANY_REQUESTS)$/,
      );
    }

    // Nothing stored: no message, no account with a NUL name, ten spam groups and no more.
    expect(await countMessages(db, conversationId)).toBe(messagesBefore);
    const [{ groups }] = await db.query<{ groups: number }>(
      `SELECT count(*)::int AS groups FROM conversations WHERE title LIKE 'FREE CRYPTO%' OR title = 'huge'`,
    );
    expect(groups).toBe(10);
    const [{ users }] = await db.query<{ users: number }>(
      'SELECT count(*)::int AS users FROM users',
    );
    expect(users).toBe(4); // alice, bob and the two registrations the address had left

    // And the log holds no error.
    expect(
      app
        .output()
        .split('\n')
        .filter((line) => /"level":(50|60)/.test(line)),
    ).toEqual([]);
  });
});
