/**
 * Hostile clients get clear refusals: oversized GraphQL documents (depth, aliases, tokens,
 * directives, cost) never execute, batches and CSRF-able requests are refused, production hides
 * introspection and suggestions, rate limits answer TOO_MANY_REQUESTS with when to retry, expired
 * tokens close sockets, and an exhausted database pool fails fast.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { beforeAll, describe, expect, it } from 'vitest';
import { countQueries, startApp, type Env, type InProcessApp } from '../support/app.js';
import { countMessages } from '../support/database.js';
import { createConversation, sendMessage } from '../support/factories.js';
import { upload } from '../support/files.js';
import { useApp, useDatabase } from '../support/fixtures.js';
import {
  errorCode,
  gql,
  registerUser,
  registerUsers,
  uniqueUsername,
  type TestUser,
} from '../support/gql.js';
import { sleep } from '../support/wait.js';
import {
  connectWs,
  subscribe,
  subscriptionError,
  subscribeOneByOne,
  subscriptionErrorCode,
  waitForSubscriptions,
} from '../support/ws.js';

const db = useDatabase();

/** Starts an app on this file's database with `env`, runs `fn` with it, and closes it. */
async function withApp<T>(env: Env, fn: (app: InProcessApp) => Promise<T>): Promise<T> {
  const app = await startApp({ DATABASE_URL: db.url, ...env });
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}

const SEND = `mutation($i: SendMessageInput!) { sendMessage(input: $i) { seq } }`;

const nested = (depth: number): string =>
  depth === 0 ? 'name' : `ofType { ${nested(depth - 1)} }`;

describe('GraphQL document limits', () => {
  const { app } = useApp({ db });
  let user: TestUser;
  beforeAll(async () => {
    user = await registerUser(app.url, 'limits');
  });

  it('refuses an over-deep query before any resolver runs', async () => {
    const { result: res, queries } = await countQueries(app, () =>
      gql(
        app.url,
        // __type, not __schema: outside production the standard introspection query (which
        // starts at __schema) is exempt from the depth limit.
        `{ me { id } __type(name: "User") { fields { type { ${nested(9)} } } } }`,
        {},
        user.token,
      ),
    );
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors![0].message).toMatch(/depth/i);
    // Not even `me`, which is one query, ran.
    expect(res.data).toBeUndefined();
    expect(queries).toBe(0);
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
    expect(subscriptionError(sub)?.message).toMatch(/alias/i);
    expect(sub.events).toEqual([]);
  });

  it('answers a WebSocket operation with a syntax error by an error, and keeps the socket', async () => {
    const peer = await registerUser(app.url, 'peer');
    const c = await createConversation(app.url, peer.token, [user.id]);
    const ws = await connectWs(app.wsUrl, user.token);
    try {
      const broken = subscribe(ws, 'subscription { messageAdded { id ');
      await broken.ended;
      expect(subscriptionErrorCode(broken)).toBe('GRAPHQL_PARSE_FAILED');
      // The same socket still subscribes and delivers.
      const fine = await waitForSubscriptions([app], 1, () =>
        subscribe(ws, 'subscription { messageAdded { id } }'),
      );
      const sent = await sendMessage(app.url, peer.token, c.id, 'still connected');
      expect(await fine.waitFor(1)).toEqual([{ messageAdded: { id: sent.id } }]);
      expect(fine.errors).toEqual([]);
    } finally {
      await ws.dispose();
    }
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

describe('a rate limit across instances', () => {
  const {
    apps: [a, b],
  } = useApp({ instances: 2, db, env: { RATE_LIMITS: 'on', RATE_LIMIT_SENDS: '4/10s' } });

  it('holds one limit across instances through Redis', async () => {
    const [alice, bob] = await registerUsers(a.url, ['alice', 'bob']);
    const c = await createConversation(a.url, alice.token, [bob.id]);
    const results = [];
    for (let i = 0; i < 8; i++) {
      results.push(
        await gql(
          i % 2 ? a.url : b.url,
          SEND,
          { i: { conversationId: c.id, text: `x${i}` } },
          alice.token,
        ),
      );
    }
    expect(results.map((r) => errorCode(r) ?? 'ok')).toEqual([
      ...Array(4).fill('ok'),
      ...Array(4).fill('TOO_MANY_REQUESTS'),
    ]);
  });
});

describe('production', () => {
  it('turns off introspection and field suggestions', () =>
    withApp({ NODE_ENV: 'production' }, async (app) => {
      const user = await registerUser(app.url, 'prod');
      const introspection = await gql(app.url, '{ __schema { types { name } } }', {}, user.token);
      expect(introspection.errors![0].message).toMatch(/introspection/i);
      const typo = await gql(app.url, '{ me { usernam } }', {}, user.token);
      expect(typo.errors![0].message).toBe('Cannot query field "usernam" on type "User".');
    }));

  it('refuses introspection over WebSocket too, with the same rules as HTTP', () =>
    withApp({ NODE_ENV: 'production' }, async (app) => {
      const user = await registerUser(app.url, 'prodws');
      const ws = await connectWs(app.wsUrl, user.token);
      try {
        for (const query of [
          '{ __schema { types { name } } }',
          '{ __type(name: "User") { name } }',
        ]) {
          const http = await gql(app.url, query, {}, user.token);
          const sub = subscribe(ws, query);
          await sub.ended;
          expect(sub.events).toEqual([]);
          expect(subscriptionErrorCode(sub)).toBe('GRAPHQL_VALIDATION_FAILED');
          expect(subscriptionError(sub)?.message).toBe(http.errors![0].message);
          expect(http.errors![0].message).toMatch(/introspection/i);
        }
        // The socket still answers what it may.
        const me = subscribe(ws, '{ me { id } }');
        expect(await me.waitFor(1)).toEqual([{ me: { id: user.id } }]);
      } finally {
        await ws.dispose();
      }
    }));
});

describe('rate limits', () => {
  // A window far longer than the burst takes: a fixed window that opened with the burst's first
  // send cannot close in the middle of it, however slow the machine.
  it('refuses part of a burst of sends with TOO_MANY_REQUESTS and a retry time', () =>
    withApp({ RATE_LIMITS: 'on', RATE_LIMIT_SENDS: '5/1m' }, async (app) => {
      const [alice, bob] = await registerUsers(app.url, ['alice', 'bob']);
      const c = await createConversation(app.url, alice.token, [bob.id]);
      const send = (text: string) =>
        gql(app.url, SEND, { i: { conversationId: c.id, text } }, alice.token);

      const burst = await Promise.all(Array.from({ length: 30 }, (_, i) => send(`burst ${i}`)));
      const refused = burst.filter((r) => errorCode(r) === 'TOO_MANY_REQUESTS');
      expect(refused).toHaveLength(25);
      expect(refused[0].errors![0].extensions!.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(await countMessages(db, c.id)).toBe(5);
    }));

  // Sends at least 400 ms apart: any 1 s window holds at most three of them, so none is refused
  // however much slower than that the machine makes them.
  it('never refuses a steady pace under the limit', () =>
    withApp({ RATE_LIMITS: 'on', RATE_LIMIT_SENDS: '3/1s' }, async (app) => {
      const [alice, bob] = await registerUsers(app.url, ['alice', 'bob']);
      const c = await createConversation(app.url, alice.token, [bob.id]);
      for (let i = 0; i < 6; i++) {
        const res = await gql(
          app.url,
          SEND,
          { i: { conversationId: c.id, text: `steady ${i}` } },
          alice.token,
        );
        expect(errorCode(res)).toBeUndefined();
        await sleep(400);
      }
      expect(await countMessages(db, c.id)).toBe(6);
    }));

  it('answers 429 with Retry-After on REST', () =>
    withApp({ RATE_LIMITS: 'on', RATE_LIMIT_SENDS: '2/10s' }, async (app) => {
      const [alice, bob] = await registerUsers(app.url, ['alice', 'bob']);
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
      expect(await countMessages(db, c.id)).toBe(2);
    }));

  it('limits logins per username and address first, so a stranger cannot lock the owner out', () =>
    withApp(
      {
        RATE_LIMITS: 'on',
        // The test's own loopback is the proxy, so X-Forwarded-For gives each request an address.
        TRUSTED_PROXIES: '127.0.0.1',
        RATE_LIMIT_LOGINS_PER_USERNAME_AND_IP: '3/1m',
        RATE_LIMIT_LOGINS_PER_USERNAME: '5/1m',
        RATE_LIMIT_LOGINS_PER_IP: '6/1m',
      },
      async (app) => {
        const [victim, other, third] = await registerUsers(app.url, ['victim', 'other', 'third']);
        const login = (username: string, password: string, from: string) =>
          fetch(`${app.url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
            body: JSON.stringify({
              query: `mutation($i: LoginInput!) { login(input: $i) { accessToken } }`,
              variables: { i: { username, password } },
            }),
          }).then(async (res) =>
            errorCode({ status: res.status, ...((await res.json()) as object) }),
          );
        const RIGHT = 'correct horse battery';
        const stranger = '203.0.113.66';
        for (let i = 0; i < 3; i++)
          expect(await login(victim.username, `guess-${i}-wrong`, stranger)).toBe(
            'UNAUTHENTICATED',
          );
        // The guesser's address is locked out of this account, even with the right password…
        expect(await login(victim.username, RIGHT, stranger)).toBe('TOO_MANY_REQUESTS');
        // …but the owner, elsewhere, still signs in.
        expect(await login(victim.username, RIGHT, '198.51.100.7')).toBeUndefined();
        // Across addresses the per-username limit still holds (3 + 1 so far, of 5).
        expect(await login(victim.username, 'wrong-again', '192.0.2.1')).toBe('UNAUTHENTICATED');
        expect(await login(victim.username, RIGHT, '192.0.2.2')).toBe('TOO_MANY_REQUESTS');
        // Other accounts from the stranger's address work until the address's own limit (6).
        expect(await login(other.username, RIGHT, stranger)).toBeUndefined();
        expect(await login(third.username, RIGHT, stranger)).toBeUndefined();
        expect(await login(third.username, RIGHT, stranger)).toBe('TOO_MANY_REQUESTS');
      },
    ));

  it('ignores X-Forwarded-For unless the peer is a trusted proxy', async () => {
    const REGISTER = `mutation($i: RegisterInput!) { register(input: $i) { accessToken } }`;
    const register = (app: InProcessApp, forwardedFor: string) =>
      fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
        body: JSON.stringify({
          query: REGISTER,
          variables: { i: { username: uniqueUsername('xff'), password: 'correct horse battery' } },
        }),
      }).then(async (res) => errorCode({ status: res.status, ...((await res.json()) as object) }));
    const limits = { RATE_LIMITS: 'on', RATE_LIMIT_REGISTRATIONS_PER_IP: '2/1h' };
    // By default no proxy is trusted: a spoofed header does not make a new address.
    await withApp(limits, async (app) => {
      expect(await register(app, '203.0.113.1')).toBeUndefined();
      expect(await register(app, '203.0.113.2')).toBeUndefined();
      expect(await register(app, '203.0.113.3')).toBe('TOO_MANY_REQUESTS');
    });
    // Behind a trusted proxy (the test's loopback), each forwarded address is counted on its own.
    await withApp({ ...limits, TRUSTED_PROXIES: '127.0.0.1' }, async (app) => {
      for (let i = 0; i < 2; i++) expect(await register(app, '198.51.100.1')).toBeUndefined();
      expect(await register(app, '198.51.100.1')).toBe('TOO_MANY_REQUESTS');
      expect(await register(app, '198.51.100.2')).toBeUndefined();
    });
  });

  it('limits group creation and participant additions per user, and members added per call', () =>
    withApp({ RATE_LIMITS: 'on', RATE_LIMIT_GROUPS: '3/1m' }, async (app) => {
      const [spammer, a, b, c] = await registerUsers(app.url, ['spammer', 'a', 'b', 'c']);
      const CREATE = `mutation($i: CreateConversationInput!) { createConversation(input: $i) { id } }`;
      const ADD = `mutation($c: ID!, $u: [ID!]!) { addParticipants(conversationId: $c, userIds: $u) { id } }`;
      const group = (title: string) =>
        gql(app.url, CREATE, { i: { participantIds: [a.id, b.id], title } }, spammer.token);
      const first = await group('FREE CRYPTO 1');
      expect(errorCode(first)).toBeUndefined();
      const groupId = first.data.createConversation.id;
      expect(errorCode(await group('FREE CRYPTO 2'))).toBeUndefined();
      expect(
        errorCode(await gql(app.url, ADD, { c: groupId, u: [c.id] }, spammer.token)),
      ).toBeUndefined();
      expect(errorCode(await group('FREE CRYPTO 3'))).toBe('TOO_MANY_REQUESTS');
      const refusedAdd = await gql(app.url, ADD, { c: groupId, u: [c.id] }, spammer.token);
      expect(errorCode(refusedAdd)).toBe('TOO_MANY_REQUESTS');
      // Direct conversations are not groups: not limited by it.
      await expect(createConversation(app.url, spammer.token, [a.id])).resolves.toMatchObject({
        isDirect: true,
      });
      // Nothing of the refused calls was stored.
      const [{ n }] = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM conversations c JOIN participants p ON p.conversation_id = c.id
          WHERE p.user_id = $1 AND c.title LIKE 'FREE CRYPTO%'`,
        [spammer.id],
      );
      expect(n).toBe(2);

      // At most 100 members per call, whatever the limit says.
      const many = Array.from({ length: 101 }, () => randomUUID());
      const tooMany = await gql(app.url, ADD, { c: groupId, u: many }, a.token);
      expect(errorCode(tooMany)).toBe('BAD_USER_INPUT');
      expect(tooMany.errors![0].extensions!.fields).toEqual([
        { field: 'userIds', messages: [expect.stringMatching(/100/)] },
      ]);
      const tooManyAtOnce = await gql(app.url, CREATE, { i: { participantIds: many } }, a.token);
      expect(errorCode(tooManyAtOnce)).toBe('BAD_USER_INPUT');
    }));

  it('limits uploads per user', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'chat-limits-'));
    try {
      await withApp(
        { RATE_LIMITS: 'on', RATE_LIMIT_UPLOADS: '2/1m', DATA_DIR: dataDir },
        async (app) => {
          const [alice, bob] = await registerUsers(app.url, ['alice', 'bob']);
          const c = await createConversation(app.url, alice.token, [bob.id]);
          const note = () =>
            upload(app.url, alice.token, c.id, 'plain text', 'note.txt', 'text/plain');
          expect((await note()).status).toBe(201);
          expect((await note()).status).toBe(201);
          expect(await note()).toMatchObject({ status: 429, body: { code: 'TOO_MANY_REQUESTS' } });
        },
      );
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("holds each user's unattached uploads to UPLOAD_UNATTACHED_QUOTA_BYTES", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'chat-quota-'));
    try {
      await withApp({ UPLOAD_UNATTACHED_QUOTA_BYTES: '3000', DATA_DIR: dataDir }, async (app) => {
        const [alice, bob] = await registerUsers(app.url, ['alice', 'bob']);
        const c = await createConversation(app.url, alice.token, [bob.id]);
        const note = (user: TestUser, bytes: number) =>
          upload(app.url, user.token, c.id, 'x'.repeat(bytes), 'note.txt', 'text/plain');
        const first = await note(alice, 2000);
        expect(first.status).toBe(201);
        // 1000 bytes are left: a larger file is refused, a smaller one fits.
        expect(await note(alice, 1500)).toMatchObject({
          status: 413,
          body: { code: 'PAYLOAD_TOO_LARGE' },
        });
        expect((await note(alice, 900)).status).toBe(201);
        expect((await note(alice, 100)).status).toBe(201);
        // Full: nothing more, however small.
        expect(await note(alice, 1)).toMatchObject({
          status: 413,
          body: { code: 'PAYLOAD_TOO_LARGE', message: expect.stringMatching(/quota/) },
        });
        // Another user has a quota of their own.
        expect((await note(bob, 2000)).status).toBe(201);
        // Attaching frees the quota.
        const sent = await gql(
          app.url,
          `mutation($i: SendMessageInput!) { sendMessage(input: $i) { id } }`,
          { i: { conversationId: c.id, attachmentIds: [first.body.id] } },
          alice.token,
        );
        expect(sent.errors).toBeUndefined();
        expect((await note(alice, 1500)).status).toBe(201);
        const [{ n }] = await db.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM attachments WHERE uploader_id = $1',
          [alice.id],
        );
        expect(n).toBe(4);
      });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('limits subscription starts per connection', () =>
    withApp({ RATE_LIMITS: 'on', RATE_LIMIT_SUBSCRIPTIONS: '3/10s' }, async (app) => {
      const user = await registerUser(app.url, 'subscriber');
      const ws = await connectWs(app.wsUrl, user.token);
      try {
        const query = 'subscription { messageAdded { id } }';
        // Each of the first three goes live, with no error, before the next one starts.
        const allowed = await subscribeOneByOne(app, ws, query, 3);
        const fourth = subscribe(ws, query);
        await fourth.ended;
        expect(subscriptionErrorCode(fourth)).toBe('TOO_MANY_REQUESTS');
        // The refusal ended none of those already running.
        expect(allowed.map((s) => [s.completed, s.errors])).toEqual(Array(3).fill([false, []]));
      } finally {
        await ws.dispose();
      }
    }));

  it('lets a burst of 100 through with RATE_LIMITS=off', () =>
    withApp({ RATE_LIMITS: 'off', RATE_LIMIT_SENDS: '1/1m' }, async (app) => {
      const [alice, bob] = await registerUsers(app.url, ['alice', 'bob']);
      const c = await createConversation(app.url, alice.token, [bob.id]);
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, i) => sendMessage(app.url, alice.token, c.id, `m${i}`)),
      );
      expect(new Set(results.map((m) => m.seq)).size).toBe(100);
      expect(await countMessages(db, c.id)).toBe(100);
    }));
});

describe('WebSocket caps', () => {
  /** Opens sockets one after another; each resolves to 'open' or the code it was closed with. */
  const open = async (app: InProcessApp, token: string, n: number, headers = {}) => {
    const sockets: Awaited<ReturnType<typeof connectWs>>[] = [];
    const outcomes: (string | number)[] = [];
    for (let i = 0; i < n; i++) {
      try {
        sockets.push(await connectWs(app.wsUrl, token, { headers }));
        outcomes.push('open');
      } catch (error) {
        outcomes.push(Number(/closed with (\d+)/.exec(String(error))?.[1]));
      }
    }
    return { sockets, outcomes, dispose: () => Promise.all(sockets.map((s) => s.dispose())) };
  };

  it("refuses a user's newest socket past WS_MAX_CONNECTIONS_PER_USER with 4029", () =>
    withApp({ RATE_LIMITS: 'on', WS_MAX_CONNECTIONS_PER_USER: '3' }, async (app) => {
      const [alice, bob] = await registerUsers(app.url, ['alice', 'bob']);
      const first = await open(app, alice.token, 4);
      try {
        expect(first.outcomes).toEqual(['open', 'open', 'open', 4029]);
        // Someone else is not affected; and a closed socket makes room again.
        expect((await open(app, bob.token, 1)).outcomes).toEqual(['open']);
        await first.sockets[0].dispose();
        await first.sockets[0].closed;
        const again = await open(app, alice.token, 1);
        expect(again.outcomes).toEqual(['open']);
        // The older sockets still work.
        const me = subscribe(first.sockets[1], '{ me { id } }');
        expect(await me.waitFor(1)).toEqual([{ me: { id: alice.id } }]);
        await again.dispose();
      } finally {
        await first.dispose();
      }
    }));

  it("refuses an address's newest socket past WS_MAX_CONNECTIONS_PER_ADDRESS, spoofed XFF or not", () =>
    withApp({ RATE_LIMITS: 'on', WS_MAX_CONNECTIONS_PER_ADDRESS: '2' }, async (app) => {
      const users = await registerUsers(app.url, ['a1', 'a2', 'a3']);
      const sockets = [];
      try {
        for (const [i, user] of users.entries()) {
          sockets.push(await open(app, user.token, 1, { 'x-forwarded-for': `203.0.113.${i}` }));
        }
        expect(sockets.map((s) => s.outcomes[0])).toEqual(['open', 'open', 4029]);
      } finally {
        await Promise.all(sockets.map((s) => s.dispose()));
      }
    }));

  it('lifts both caps with RATE_LIMITS=off', () =>
    withApp(
      { RATE_LIMITS: 'off', WS_MAX_CONNECTIONS_PER_USER: '1', WS_MAX_CONNECTIONS_PER_ADDRESS: '1' },
      async (app) => {
        const user = await registerUser(app.url, 'loadtest');
        const many = await open(app, user.token, 4);
        expect(many.outcomes).toEqual(['open', 'open', 'open', 'open']);
        await many.dispose();
      },
    ));
});

describe('expiring tokens and the database pool', () => {
  it('closes an open socket with 4401 when its token expires', () =>
    withApp({ ACCESS_TOKEN_TTL: '2s' }, async (app) => {
      const user = await registerUser(app.url, 'shortlived');
      const ws = await connectWs(app.wsUrl, user.token);
      const started = Date.now();
      expect(await ws.closed).toBe(4401);
      expect(Date.now() - started).toBeLessThan(4000);
    }));

  it('fails fast with SERVICE_UNAVAILABLE when every pooled connection is busy', () =>
    withApp({ DATABASE_POOL_SIZE: '1', DATABASE_POOL_TIMEOUT_MS: '300' }, async (app) => {
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
    }));
});
