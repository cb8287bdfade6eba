/** Accounts and HTTP auth as a client uses them: register, login, me, users, and refusals. */
import { describe, expect, it } from 'vitest';
import { useApp } from '../support/fixtures.js';
import { errorCode, gql, gqlOk, registerUser, uniqueUsername } from '../support/gql.js';

const REGISTER = `mutation($input: RegisterInput!) { register(input: $input) { accessToken user { id username displayName } } }`;
const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { accessToken user { id username } } }`;
const ME = `query { me { id username displayName avatarUrl } }`;

const { db, app } = useApp();

const countUsers = async () => Number((await db.query('SELECT count(*) AS n FROM users'))[0].n);

describe('register, login, me', () => {
  it('registers, logs in with the same password, and answers me with the same user', async () => {
    const username = uniqueUsername('alice');
    const registered = await gqlOk(app.url, REGISTER, {
      input: { username, password: 'correct horse battery', displayName: 'Alice A.' },
    });
    expect(registered.register.user).toMatchObject({ username, displayName: 'Alice A.' });

    const login = await gqlOk(app.url, LOGIN, {
      input: { username, password: 'correct horse battery' },
    });
    expect(login.login.user.id).toBe(registered.register.user.id);

    const me = await gqlOk(app.url, ME, {}, login.login.accessToken);
    expect(me.me).toEqual({
      id: registered.register.user.id,
      username,
      displayName: 'Alice A.',
      avatarUrl: null,
    });
  });

  it('treats usernames case-insensitively: a taken name in other case is CONFLICT, login in any case works', async () => {
    const username = uniqueUsername('bob');
    await gqlOk(app.url, REGISTER, { input: { username, password: 'password-one' } });
    const before = await countUsers();

    const taken = await gql(app.url, REGISTER, {
      input: { username: username.toUpperCase(), password: 'password-two' },
    });
    expect(errorCode(taken)).toBe('CONFLICT');
    expect(taken.errors![0].message).toBe('That username is taken');
    expect(await countUsers()).toBe(before);

    const login = await gqlOk(app.url, LOGIN, {
      input: { username: username.toUpperCase(), password: 'password-one' },
    });
    expect(login.login.user.username).toBe(username);
  });

  it('refuses a wrong password and an unknown user alike with UNAUTHENTICATED', async () => {
    const user = await registerUser(app.url, 'carol');
    const wrong = await gql(app.url, LOGIN, {
      input: { username: user.username, password: 'not the password' },
    });
    const unknown = await gql(app.url, LOGIN, {
      input: { username: uniqueUsername('nobody'), password: 'whatever1' },
    });
    expect(errorCode(wrong)).toBe('UNAUTHENTICATED');
    expect(errorCode(unknown)).toBe('UNAUTHENTICATED');
    expect(wrong.errors![0].message).toBe(unknown.errors![0].message);
    expect(wrong.data).toBeUndefined();
  });

  it.each([
    ['a username too short', { username: 'ab', password: 'long enough' }, 'username'],
    ['a username with a space', { username: 'bad name', password: 'long enough' }, 'username'],
    ['a username too long', { username: 'x'.repeat(33), password: 'long enough' }, 'username'],
    ['a password too short', { username: 'valid_name_1', password: 'short' }, 'password'],
    ['a password too long', { username: 'valid_name_2', password: 'p'.repeat(129) }, 'password'],
    [
      'an empty display name',
      { username: 'valid_name_3', password: 'long enough', displayName: '   ' },
      'displayName',
    ],
  ])(
    'refuses %s with BAD_USER_INPUT naming the field, and stores nothing',
    async (_, input, field) => {
      const before = await countUsers();
      const res = await gql(app.url, REGISTER, { input });
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      const fields = res.errors![0].extensions!.fields as { field: string }[];
      expect(fields.map((f) => f.field)).toContain(field);
      expect(await countUsers()).toBe(before);
    },
  );

  it('refuses a missing required field at the GraphQL layer without touching storage', async () => {
    const before = await countUsers();
    const res = await gql(app.url, REGISTER, { input: { username: 'no_password' } });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(await countUsers()).toBe(before);
  });
});

describe('tokens on HTTP', () => {
  it('refuses me without a token, with a forged one and with garbage', async () => {
    const user = await registerUser(app.url, 'dave');
    const [head, body] = user.token.split('.');
    const forged = `${head}.${body}.${'A'.repeat(43)}`;
    for (const token of [undefined, forged, 'not-a-jwt']) {
      const res = await gql(app.url, ME, {}, token);
      expect(errorCode(res)).toBe('UNAUTHENTICATED');
      expect(res.data?.me ?? null).toBeNull();
    }
  });

  it('keeps register and login open but everything else closed', async () => {
    const res = await gql(app.url, `query { users(first: 1) { edges { node { id } } } }`);
    expect(errorCode(res)).toBe('UNAUTHENTICATED');
  });
});

describe('users', () => {
  it('finds users by username or display-name prefix, a page at a time', async () => {
    const me = await registerUser(app.url, 'searcher');
    const tag = uniqueUsername('zq').replace('_', '');
    for (const suffix of ['a', 'b', 'c']) {
      await gqlOk(app.url, REGISTER, {
        input: {
          username: `${tag}_${suffix}`,
          password: 'long enough',
          displayName: `Zed ${suffix}`,
        },
      });
    }
    const query = `query($search: String, $first: Int, $after: String) {
      users(search: $search, first: $first, after: $after) {
        edges { cursor node { username } } pageInfo { hasNextPage endCursor }
      }
    }`;
    const first = await gqlOk(app.url, query, { search: tag.toUpperCase(), first: 2 }, me.token);
    expect(first.users.edges.map((e: any) => e.node.username)).toEqual([`${tag}_a`, `${tag}_b`]);
    expect(first.users.pageInfo.hasNextPage).toBe(true);
    const second = await gqlOk(
      app.url,
      query,
      { search: tag, first: 2, after: first.users.pageInfo.endCursor },
      me.token,
    );
    expect(second.users.edges.map((e: any) => e.node.username)).toEqual([`${tag}_c`]);
    expect(second.users.pageInfo.hasNextPage).toBe(false);
  });

  it('answers user(id) for a known id and NOT_FOUND for unknown or malformed ids', async () => {
    const me = await registerUser(app.url, 'viewer');
    const other = await registerUser(app.url, 'viewed');
    const query = `query($id: ID!) { user(id: $id) { id username } }`;
    expect((await gqlOk(app.url, query, { id: other.id }, me.token)).user.username).toBe(
      other.username,
    );
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const res = await gql(app.url, query, { id }, me.token);
      expect(errorCode(res)).toBe('NOT_FOUND');
    }
  });

  it('refuses a malformed cursor with BAD_USER_INPUT', async () => {
    const me = await registerUser(app.url, 'cursor');
    const res = await gql(
      app.url,
      `query { users(after: "%%%garbage") { edges { cursor } } }`,
      {},
      me.token,
    );
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
  });

  it('never exposes a password hash, even when asked', async () => {
    const me = await registerUser(app.url, 'hash');
    const res = await gql(app.url, `query { me { id passwordHash } }`, {}, me.token);
    expect(errorCode(res)).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('registration limit', () => {
  const limited = useApp(() => ({ RATE_LIMITS: 'on', RATE_LIMIT_REGISTRATIONS_PER_IP: '2/1h' }));

  it('refuses accounts past the per-address limit with TOO_MANY_REQUESTS, creating nothing', async () => {
    const register = (base: string) =>
      gql(limited.app.url, REGISTER, {
        input: { username: uniqueUsername(base), password: 'long enough' },
      });
    expect(errorCode(await register('one'))).toBeUndefined();
    expect(errorCode(await register('two'))).toBeUndefined();
    const third = await register('three');
    expect(errorCode(third)).toBe('TOO_MANY_REQUESTS');
    expect(third.errors![0].extensions!.retryAfterSeconds).toBeGreaterThan(0);
    const rows = await limited.db.query('SELECT count(*) AS n FROM users');
    expect(Number(rows[0].n)).toBe(2);
  });
});
