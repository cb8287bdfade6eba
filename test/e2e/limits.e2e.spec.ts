/**
 * Hostile clients get clear refusals: oversized GraphQL documents (depth, aliases, tokens,
 * directives, cost) never execute, batches and CSRF-able requests are refused, production hides
 * introspection and suggestions, rate limits answer TOO_MANY_REQUESTS with when to retry, expired
 * tokens close sockets, and an exhausted database pool fails fast.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { UsersService } from '../../src/users/users.service.js';
import {
  clusterEnv,
  startApp,
  testEnv,
  uniqueRedisPrefix,
  type InProcessApp,
} from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createConversation, sendMessage } from '../support/factories.js';
import { errorCode, gql, registerUser, type TestUser } from '../support/gql.js';
import { connectWs, sleep, subscribe } from '../support/ws.js';

let db: TestDatabase;
const apps: InProcessApp[] = [];
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
  await db?.drop();
});
async function start(env: Record<string, string>): Promise<InProcessApp> {
  const app = await startApp(testEnv({ DATABASE_URL: db.url, ...env }));
  apps.push(app);
  return app;
}

const nested = (depth: number): string =>
  depth === 0 ? 'name' : `ofType { ${nested(depth - 1)} }`;

describe('GraphQL document limits', () => {
  let app: InProcessApp;
  let user: TestUser;
  beforeAll(async () => {
    app = await start({});
    user = await registerUser(app.url, 'limits');
  });

  it('refuses an over-deep query before any resolver runs', async () => {
    const getById = vi.spyOn(app.app.get(UsersService), 'getById');
    const res = await gql(
      app.url,
      `{ me { id } __schema { types { fields { type { ${nested(9)} } } } } }`,
      {},
      user.token,
    );
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors![0].message).toMatch(/depth/i);
    expect(getById).not.toHaveBeenCalled();
    getById.mockRestore();
  });

  it('refuses too many aliases, directives and tokens, and an over-costly query', async () => {
    const aliases = Array.from({ length: 16 }, (_, i) => `a${i}: me { id }`).join(' ');
    expect((await gql(app.url, `{ ${aliases} }`, {}, user.token)).errors![0].message).toMatch(
      /alias/i,
    );

    const directives = Array.from({ length: 21 }, () => '@include(if: true)').join(' ');
    expect(
      (await gql(app.url, `{ me { id ${directives} } }`, {}, user.token)).errors![0].message,
    ).toMatch(/directive/i);

    const tokens = await gql(
      app.url,
      `{ me { ${Array.from({ length: 2100 }, () => 'id').join(' ')} } }`,
      {},
      user.token,
    );
    expect(errorCode(tokens)).toBe('GRAPHQL_PARSE_FAILED');
    expect(tokens.errors![0].message).toMatch(/token/i);

    const heavy = Array.from(
      { length: 15 },
      (_, i) =>
        `c${i}: conversations(first: 200) { edges { node { participants { id username displayName avatarUrl createdAt } lastMessage { id text seq createdAt sender { id username displayName } } } } }`,
    ).join(' ');
    const costly = await gql(app.url, `{ ${heavy} }`, {}, user.token);
    expect(errorCode(costly)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(costly.errors!.some((e) => /cost/i.test(e.message))).toBe(true);
  });

  it('applies the same limits to subscriptions over WebSocket', async () => {
    const ws = await connectWs(app.wsUrl, user.token);
    const aliases = Array.from({ length: 16 }, (_, i) => `a${i}: id`).join(' ');
    const sub = subscribe(ws, `subscription { messageAdded { ${aliases} } }`);
    await sub.ended;
    await ws.dispose();
    const error = sub.errors[0] as any;
    expect((Array.isArray(error) ? error[0] : error).message).toMatch(/alias/i);
    expect(sub.events).toEqual([]);
  });

  it('answers a WebSocket operation with a syntax error by an error, and keeps the socket', async () => {
    const ws = await connectWs(app.wsUrl, user.token);
    const broken = subscribe(ws, 'subscription { messageAdded { id ');
    await broken.ended;
    const error = broken.errors[0] as any;
    expect((Array.isArray(error) ? error[0] : error).extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    const fine = subscribe(ws, 'subscription { messageAdded { id } }');
    await sleep(200);
    expect(fine.errors).toEqual([]);
    fine.unsubscribe();
    await ws.dispose();
    expect(await ws.closed).not.toBe(4500);
  });

  it('refuses batched requests and simple (CSRF-able) requests', async () => {
    const batch = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` },
      body: JSON.stringify([{ query: '{ me { id } }' }, { query: '{ me { id } }' }]),
    });
    expect(batch.status).toBe(400);

    for (const contentType of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      const res = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body: JSON.stringify({
          query:
            'mutation { register(input: {username: "csrf_victim", password: "whatever1"}) { accessToken } }',
        }),
      });
      expect(res.status, contentType).toBe(400);
    }
    const rows = await db.query(`SELECT count(*) AS n FROM users WHERE username = 'csrf_victim'`);
    expect(Number(rows[0].n)).toBe(0);
  });
});

describe('production', () => {
  it('turns off introspection and field suggestions', async () => {
    const app = await start({ NODE_ENV: 'production' });
    const user = await registerUser(app.url, 'prod');
    const introspection = await gql(app.url, '{ __schema { types { name } } }', {}, user.token);
    expect(introspection.errors![0].message).toMatch(/introspection/i);
    const typo = await gql(app.url, '{ me { usernam } }', {}, user.token);
    expect(typo.errors![0].message).toBe('Cannot query field "usernam" on type "User".');
  });
});

describe('rate limits', () => {
  it('refuses part of a burst of sends with TOO_MANY_REQUESTS and a retry time; a steady pace never', async () => {
    const app = await start({ RATE_LIMITS: 'on', RATE_LIMIT_SENDS: '5/1s' });
    const [alice, bob] = await Promise.all([
      registerUser(app.url, 'alice'),
      registerUser(app.url, 'bob'),
    ]);
    const c = await createConversation(app.url, alice.token, [bob.id]);
    const send = (text: string) =>
      gql(
        app.url,
        `mutation($i: SendMessageInput!) { sendMessage(input: $i) { seq } }`,
        { i: { conversationId: c.id, text } },
        alice.token,
      );

    const burst = await Promise.all(Array.from({ length: 30 }, (_, i) => send(`burst ${i}`)));
    const refused = burst.filter((r) => errorCode(r) === 'TOO_MANY_REQUESTS');
    expect(refused.length).toBeGreaterThan(0);
    expect(burst.length - refused.length).toBe(5);
    expect(refused[0].errors![0].extensions!.retryAfterSeconds).toBeGreaterThanOrEqual(1);

    await sleep(1100);
    for (let i = 0; i < 4; i++) {
      expect(errorCode(await send(`steady ${i}`))).toBeUndefined();
      await sleep(300);
    }
    const stored = await db.query('SELECT count(*) AS n FROM messages WHERE conversation_id = $1', [
      c.id,
    ]);
    expect(Number(stored[0].n)).toBe(9);
  });

  it('answers 429 with Retry-After on REST', async () => {
    const app = await start({ RATE_LIMITS: 'on', RATE_LIMIT_SENDS: '2/10s' });
    const [alice, bob] = await Promise.all([
      registerUser(app.url, 'alice'),
      registerUser(app.url, 'bob'),
    ]);
    const c = await createConversation(app.url, alice.token, [bob.id]);
    const post = () =>
      fetch(`${app.url}/conversations/${c.id}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${alice.token}` },
        body: JSON.stringify({ text: 'hi' }),
      });
    expect((await post()).status).toBe(201);
    expect((await post()).status).toBe(201);
    const limited = await post();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await limited.json()).toMatchObject({ statusCode: 429, code: 'TOO_MANY_REQUESTS' });
  });

  it('holds one limit across instances through Redis', async () => {
    const prefix = uniqueRedisPrefix();
    const env = clusterEnv(db.url, prefix, { RATE_LIMITS: 'on', RATE_LIMIT_SENDS: '4/10s' });
    const a = await startApp(env);
    const b = await startApp(env);
    apps.push(a, b);
    const [alice, bob] = await Promise.all([
      registerUser(a.url, 'alice'),
      registerUser(a.url, 'bob'),
    ]);
    const c = await createConversation(a.url, alice.token, [bob.id]);
    const results = [];
    for (let i = 0; i < 8; i++) {
      results.push(
        await gql(
          i % 2 ? a.url : b.url,
          `mutation($i: SendMessageInput!) { sendMessage(input: $i) { seq } }`,
          { i: { conversationId: c.id, text: `x${i}` } },
          alice.token,
        ),
      );
    }
    expect(results.map((r) => errorCode(r) ?? 'ok')).toEqual([
      'ok',
      'ok',
      'ok',
      'ok',
      ...Array(4).fill('TOO_MANY_REQUESTS'),
    ]);
  });

  it('limits logins per username, even with the right password, and per address', async () => {
    const app = await start({
      RATE_LIMITS: 'on',
      RATE_LIMIT_LOGINS_PER_USERNAME: '3/1m',
      RATE_LIMIT_LOGINS_PER_IP: '6/1m',
    });
    const [victim, other, third] = await Promise.all(
      ['victim', 'other', 'third'].map((n) => registerUser(app.url, n)),
    );
    const login = (username: string, password: string) =>
      gql(app.url, `mutation($i: LoginInput!) { login(input: $i) { accessToken } }`, {
        i: { username, password },
      });
    for (let i = 0; i < 3; i++)
      expect(errorCode(await login(victim.username, `guess-${i}-wrong`))).toBe('UNAUTHENTICATED');
    expect(errorCode(await login(victim.username, 'correct horse battery'))).toBe(
      'TOO_MANY_REQUESTS',
    );
    // Another account from the same address still works, until the address's own limit.
    expect(errorCode(await login(other.username, 'correct horse battery'))).toBeUndefined();
    expect(errorCode(await login(third.username, 'correct horse battery'))).toBeUndefined();
    expect(errorCode(await login(third.username, 'correct horse battery'))).toBe(
      'TOO_MANY_REQUESTS',
    );
  });

  it('limits uploads per user', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'chat-limits-'));
    const app = await start({ RATE_LIMITS: 'on', RATE_LIMIT_UPLOADS: '2/1m', DATA_DIR: dataDir });
    const [alice, bob] = await Promise.all([
      registerUser(app.url, 'alice'),
      registerUser(app.url, 'bob'),
    ]);
    const c = await createConversation(app.url, alice.token, [bob.id]);
    const upload = async () => {
      const form = new FormData();
      form.append('file', new Blob(['plain text'], { type: 'text/plain' }), 'note.txt');
      const res = await fetch(`${app.url}/conversations/${c.id}/file`, {
        method: 'POST',
        headers: { authorization: `Bearer ${alice.token}` },
        body: form,
      });
      return { status: res.status, body: (await res.json()) as { code?: string } };
    };
    expect((await upload()).status).toBe(201);
    expect((await upload()).status).toBe(201);
    expect(await upload()).toMatchObject({ status: 429, body: { code: 'TOO_MANY_REQUESTS' } });
    await rm(dataDir, { recursive: true, force: true });
  });

  it('limits subscription starts per connection', async () => {
    const app = await start({ RATE_LIMITS: 'on', RATE_LIMIT_SUBSCRIPTIONS: '3/10s' });
    const user = await registerUser(app.url, 'subscriber');
    const ws = await connectWs(app.wsUrl, user.token);
    const subs = Array.from({ length: 4 }, () =>
      subscribe(ws, 'subscription { messageAdded { id } }'),
    );
    await subs[3].ended;
    const error = subs[3].errors[0] as any;
    expect((Array.isArray(error) ? error[0] : error).extensions).toMatchObject({
      code: 'TOO_MANY_REQUESTS',
    });
    await ws.dispose();
  });

  it('lets a burst of 100 through with RATE_LIMITS=off', async () => {
    const app = await start({ RATE_LIMITS: 'off', RATE_LIMIT_SENDS: '1/1m' });
    const [alice, bob] = await Promise.all([
      registerUser(app.url, 'alice'),
      registerUser(app.url, 'bob'),
    ]);
    const c = await createConversation(app.url, alice.token, [bob.id]);
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => sendMessage(app.url, alice.token, c.id, `m${i}`)),
    );
    expect(new Set(results.map((m) => m.seq)).size).toBe(100);
  });
});

describe('expiring tokens and the database pool', () => {
  it('closes an open socket with 4401 when its token expires', async () => {
    const app = await start({ JWT_EXPIRES_IN: '2s' });
    const user = await registerUser(app.url, 'shortlived');
    const ws = await connectWs(app.wsUrl, user.token);
    const started = Date.now();
    expect(await ws.closed).toBe(4401);
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('fails fast with SERVICE_UNAVAILABLE when every pooled connection is busy', async () => {
    const app = await start({ DATABASE_POOL_SIZE: '1', DATABASE_POOL_TIMEOUT_MS: '300' });
    const user = await registerUser(app.url, 'pooled');
    const runner = app.app.get(DataSource).createQueryRunner();
    await runner.connect();
    const busy = runner.query('SELECT pg_sleep(3)');
    try {
      const started = Date.now();
      const res = await gql(app.url, '{ me { id } }', {}, user.token);
      expect(errorCode(res)).toBe('SERVICE_UNAVAILABLE');
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await busy;
      await runner.release();
    }
    expect(errorCode(await gql(app.url, '{ me { id } }', {}, user.token))).toBeUndefined();
  });
});
