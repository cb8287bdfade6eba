/**
 * Secrets stay out of logs and error messages: tokens in query strings, the parameters of a
 * failed SQL query (a message's text, a password hash), and submitted values in variable
 * coercion errors. The app is a child process so that its log can be read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnApp, type ChildApp } from '../support/app.js';
import { createConversation } from '../support/factories.js';
import { useDatabase } from '../support/fixtures.js';
import { errorCode, gql, registerUser, type TestUser } from '../support/gql.js';
import { waitUntil } from '../support/wait.js';

const db = useDatabase();
let app: ChildApp;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  app = await spawnApp({ DATABASE_URL: db.url, NODE_ENV: 'production' });
  [alice, bob] = await Promise.all([registerUser(app.url, 'alice'), registerUser(app.url, 'bob')]);
});
afterAll(async () => {
  await app?.close();
});

const REGISTER = `mutation($i: RegisterInput!) { register(input: $i) { accessToken } }`;

describe('log redaction', () => {
  it('logs a request URL with its token parameters redacted', async () => {
    const url = `${app.url}/graphql?query=${encodeURIComponent('{ me { id } }')}&access_token=SECRET-URL-TOKEN&token=SECRET-URL-2`;
    const res = await fetch(url, { headers: { authorization: `Bearer ${alice.token}` } });
    expect(res.status).toBe(200);
    await waitUntil(() => app.output().includes('access_token=[redacted]'), 'the request logged');
    expect(app.output()).not.toContain('SECRET-URL');
  });

  it('answers a variable coercion error with the field and rule, not the submitted value', async () => {
    const res = await gql(app.url, REGISTER, {
      i: { username: 'coerced', password: { secret: 'SECRET-PASSWORD-1' } },
    });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message).toBe(
      'Variable "$i" got an invalid value at "i.password"; String cannot represent a non string value.',
    );
    expect(JSON.stringify(res)).not.toContain('SECRET-PASSWORD-1');
  });

  it('logs a failed query without its parameters (message text, password hash)', async () => {
    const c = await createConversation(app.url, alice.token, [bob.id]);
    // A schema the code does not expect: every send and registration now fails in SQL.
    await db.query('ALTER TABLE messages RENAME COLUMN text TO text_gone');
    await db.query('ALTER TABLE users RENAME COLUMN display_name TO display_name_gone');
    try {
      const send = await gql(
        app.url,
        `mutation($i: SendMessageInput!) { sendMessage(input: $i) { id } }`,
        { i: { conversationId: c.id, text: 'SECRET-MESSAGE-TEXT' } },
        alice.token,
      );
      expect(errorCode(send)).toBe('INTERNAL_SERVER_ERROR');
      const register = await gql(app.url, REGISTER, {
        i: { username: 'hash_leak', password: 'SECRET-PASSWORD-2' },
      });
      expect(errorCode(register)).toBe('INTERNAL_SERVER_ERROR');
      await waitUntil(
        () => (app.output().match(/"msg":"unexpected error"/g) ?? []).length >= 2,
        'both failures logged',
      );
      const log = app.output();
      expect(log).toContain('QueryFailedError');
      for (const secret of ['SECRET-MESSAGE-TEXT', 'SECRET-PASSWORD-2', '$argon2id']) {
        expect(log).not.toContain(secret);
      }
    } finally {
      await db.query('ALTER TABLE messages RENAME COLUMN text_gone TO text');
      await db.query('ALTER TABLE users RENAME COLUMN display_name_gone TO display_name');
    }
  });
});
