/** Accounts and HTTP auth as a client uses them: register, login, me, users, and refusals. */
import { GraphQLSchemaHost } from '@nestjs/graphql';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { useApp } from '../support/fixtures.js';
import { errorCode, gql, gqlOk, registerUser, uniqueUsername } from '../support/gql.js';

const REGISTER = `mutation($input: RegisterInput!) { register(input: $input) { accessToken user { id username displayName } } }`;
const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { accessToken user { id username } } }`;
const ME = `query { me { id username displayName avatarUrl } }`;

const { db, app } = useApp();

/** The root fields a caller without a token may use (marked @Public() in the resolvers). */
const PUBLIC_FIELDS = new Set(['register', 'login', 'refreshSession']);

/** A well-typed value for an input type: only what GraphQL validation needs to let it through. */
function sample(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return sample(type.ofType);
  if (isListType(type)) return [sample(type.ofType)];
  if (isEnumType(type)) return type.getValues()[0].value;
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields()).filter((f) => isNonNullType(f.type));
    return Object.fromEntries(fields.map((f) => [f.name, sample(f.type)]));
  }
  if (isScalarType(type)) {
    const values: Record<string, unknown> = {
      ID: '00000000-0000-4000-8000-000000000000',
      Int: 1,
      Float: 1,
      Boolean: true,
      DateTime: new Date().toISOString(),
    };
    return values[type.name] ?? 'x';
  }
  throw new Error(`no sample for ${String(type)}`);
}

/** An operation calling one root field with its required arguments, selecting `__typename`. */
function probeOf(
  kind: 'query' | 'mutation' | 'subscription',
  field: GraphQLField<unknown, unknown>,
) {
  const required = field.args.filter((a) => isNonNullType(a.type));
  const declarations = required.map((a, i) => `$v${i}: ${String(a.type)}`).join(', ');
  const args = required.map((a, i) => `${a.name}: $v${i}`).join(', ');
  const selection =
    isScalarType(getNamedType(field.type)) || isEnumType(getNamedType(field.type))
      ? ''
      : ' { __typename }';
  return {
    document: `${kind} Probe${declarations ? `(${declarations})` : ''} { ${field.name}${args ? `(${args})` : ''}${selection} }`,
    variables: Object.fromEntries(required.map((a, i) => [`v${i}`, sample(a.type)])),
  };
}

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

  it('keeps register and login open, and every other query and mutation of the schema closed', async () => {
    const schema = app.app.get(GraphQLSchemaHost).schema;
    const codes: Record<string, string | undefined> = {};
    for (const [kind, type] of [
      ['query', schema.getQueryType()],
      ['mutation', schema.getMutationType()],
    ] as const) {
      for (const field of Object.values(type!.getFields())) {
        if (PUBLIC_FIELDS.has(field.name)) continue;
        const { document, variables } = probeOf(kind, field);
        const res = await gql(app.url, document, variables);
        codes[`${kind} ${field.name}`] = errorCode(res);
        expect(res.data?.[field.name] ?? null, field.name).toBeNull();
      }
    }
    // Every one was asked (the schema has grown past these), and each refused the stranger.
    expect(Object.keys(codes)).toEqual(
      expect.arrayContaining(['query me', 'mutation sendMessage']),
    );
    expect(codes).toEqual(
      Object.fromEntries(Object.keys(codes).map((k) => [k, 'UNAUTHENTICATED'])),
    );

    // The public ones are reachable without a token, and are the only ones so marked.
    const mutations = Object.keys(schema.getMutationType()!.getFields());
    expect(mutations).toEqual(expect.arrayContaining([...PUBLIC_FIELDS]));
    const username = uniqueUsername('public');
    const registered = await gqlOk(app.url, REGISTER, {
      input: { username, password: 'long enough' },
    });
    const loggedIn = await gqlOk(app.url, LOGIN, { input: { username, password: 'long enough' } });
    expect(loggedIn.login.user).toEqual({ id: registered.register.user.id, username });
  });

  it('refuses every subscription of the schema to an anonymous socket, delivering nothing', async () => {
    const subscription = app.app.get(GraphQLSchemaHost).schema.getSubscriptionType()!;
    const fields = Object.values(subscription.getFields());
    expect(fields.map((f) => f.name)).toContain('messageAdded');
    for (const field of fields) {
      // The shortest path a hostile client has: subscribe right after an empty connection_init.
      const { document, variables } = probeOf('subscription', field);
      const socket = new WebSocket(app.wsUrl, 'graphql-transport-ws');
      const frames: string[] = [];
      socket.on('message', (data) => frames.push(String(data)));
      await new Promise((resolve) => socket.once('open', resolve));
      socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
      socket.send(
        JSON.stringify({ id: '1', type: 'subscribe', payload: { query: document, variables } }),
      );
      const code = await new Promise<number>((resolve) => socket.once('close', resolve));
      // 4403: the init refused; 4401: graphql-ws's own "subscribe before acknowledgement".
      expect([4401, 4403], field.name).toContain(code);
      expect(frames, field.name).toEqual([]);
    }
  });

  // Known bug, left to the realtime work: over HTTP a subscription operation runs as if it were a
  // query and answers INTERNAL_SERVER_ERROR ("Cannot return null for non-nullable field"),
  // whether or not a token is sent. When fixed, this fails: drop `.fails`.
  it.fails(
    'refuses a subscription sent over HTTP by an anonymous caller with UNAUTHENTICATED',
    async () => {
      const subscription = app.app.get(GraphQLSchemaHost).schema.getSubscriptionType()!;
      for (const field of Object.values(subscription.getFields())) {
        const { document, variables } = probeOf('subscription', field);
        expect(errorCode(await gql(app.url, document, variables)), field.name).toBe(
          'UNAUTHENTICATED',
        );
      }
    },
  );
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
