/**
 * Sessions as a client lives them, on two instances: register and login answer a short-lived
 * access token and a refresh token; a refresh rotates them; reusing a spent refresh token ends the
 * whole session; logout, logoutEverywhere, revokeSession and changePassword end sessions, and an
 * ended session's access tokens stop on both instances and its sockets close with 4403.
 */
import { describe, expect, it } from 'vitest';
import { EndedSessionsSweep } from '../../src/auth/sessions/ended-sessions.sweep.js';
import { startApp } from '../support/app.js';
import { createConversation, MESSAGE_ADDED, sendMessage } from '../support/factories.js';
import { useApp, useCleanups } from '../support/fixtures.js';
import { errorCode, gql, gqlOk, uniqueUsername } from '../support/gql.js';
import { waitUntil } from '../support/wait.js';
import { connectWs, rawSubscriber, subscribe, waitForSubscriptions } from '../support/ws.js';

const AUTH_FIELDS = 'accessToken accessTokenExpiresAt refreshToken user { id username }';
const REGISTER = `mutation($input: RegisterInput!) { register(input: $input) { ${AUTH_FIELDS} } }`;
const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { ${AUTH_FIELDS} } }`;
const REFRESH = `mutation($t: String!) { refreshSession(refreshToken: $t) { ${AUTH_FIELDS} } }`;
const SESSIONS = `{ sessions { id createdAt lastUsedAt userAgent current } }`;
const ME = '{ me { id } }';
const PASSWORD = 'correct horse battery';

interface Auth {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  user: { id: string; username: string };
}

const { db, apps, env } = useApp({ instances: 2 });
const defer = useCleanups();

async function register(): Promise<Auth> {
  const input = { username: uniqueUsername('sess'), password: PASSWORD };
  return (await gqlOk(apps[0].url, REGISTER, { input })).register;
}

async function login(username: string, userAgent?: string, password = PASSWORD): Promise<Auth> {
  const res = await fetch(`${apps[1].url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(userAgent ? { 'user-agent': userAgent } : {}),
    },
    body: JSON.stringify({ query: LOGIN, variables: { input: { username, password } } }),
  });
  const body = (await res.json()) as { data?: { login: Auth }; errors?: unknown };
  if (!body.data) throw new Error(JSON.stringify(body.errors));
  return body.data.login;
}

const refresh = (token: string, app = apps[0]) => gql(app.url, REFRESH, { t: token });
const meCode = (token: string, app = apps[0]) =>
  gql(app.url, ME, {}, token).then((res) => errorCode(res) ?? 'OK');
/** Whether both instances refuse the token (the other one hears of it over pub/sub). */
const refusedEverywhere = async (token: string) =>
  (await meCode(token, apps[0])) === 'UNAUTHENTICATED' &&
  (await meCode(token, apps[1])) === 'UNAUTHENTICATED';
const sessionRows = () =>
  db.query('SELECT id, refresh_token_hash, generation, revoked_at FROM sessions ORDER BY id');

describe('register, login and refresh', () => {
  it('answer a 15-minute access token and a refresh token; each login is a session', async () => {
    const started = Date.now();
    const registered = await register();
    const expiresIn = Date.parse(registered.accessTokenExpiresAt) - started;
    expect(expiresIn).toBeGreaterThan(14 * 60_000);
    expect(expiresIn).toBeLessThanOrEqual(15 * 60_000 + 2000);
    expect(registered.refreshToken).toEqual(expect.any(String));
    expect(await meCode(registered.accessToken, apps[1])).toBe('OK');

    const phone = await login(registered.user.username, 'ChatApp/2.0 (iPhone)');
    const data = await gqlOk(apps[1].url, SESSIONS, {}, phone.accessToken);
    expect(data.sessions).toHaveLength(2);
    expect(data.sessions[0]).toMatchObject({ current: true, userAgent: 'ChatApp/2.0 (iPhone)' });
    expect(data.sessions[1]).toMatchObject({ current: false });
    // Only hashes are stored: no refresh token appears in the table.
    const stored = JSON.stringify(await db.query('SELECT * FROM sessions'));
    expect(stored).not.toContain(registered.refreshToken);
    expect(stored).not.toContain(phone.refreshToken.split('.')[2]);
  });

  it('rotates on refresh: the new pair works, the old refresh token is spent', async () => {
    const first = await register();
    const res = await refresh(first.refreshToken, apps[1]);
    const next: Auth = res.data!.refreshSession;
    expect(next.user.id).toBe(first.user.id);
    expect(next.refreshToken).not.toBe(first.refreshToken);
    expect(await meCode(next.accessToken, apps[0])).toBe('OK');
    // And again: each refresh token works once, its successor takes over.
    const third: Auth = (await refresh(next.refreshToken)).data!.refreshSession;
    expect(await meCode(third.accessToken, apps[1])).toBe('OK');
  });

  it('ends the whole session when a spent refresh token is used again', async () => {
    const victim = await register();
    const thief: Auth = (await refresh(victim.refreshToken)).data!.refreshSession;
    // The victim's client (or the thief) presents the spent token once more.
    expect(errorCode(await refresh(victim.refreshToken, apps[1]))).toBe('UNAUTHENTICATED');
    // Every token of that session is dead now, the newest ones too, on both instances.
    expect(await meCode(thief.accessToken, apps[1])).toBe('UNAUTHENTICATED');
    await waitUntil(() => refusedEverywhere(thief.accessToken), 'both instances to refuse');
    expect(errorCode(await refresh(thief.refreshToken))).toBe('UNAUTHENTICATED');
    expect(await meCode(victim.accessToken)).toBe('UNAUTHENTICATED');
  });

  it('treats two refreshes racing with one token as a reuse: the session ends', async () => {
    const user = await register();
    const answers = await Promise.all([
      refresh(user.refreshToken, apps[0]),
      refresh(user.refreshToken, apps[1]),
    ]);
    const won = answers.filter((res) => res.data?.refreshSession);
    expect(won.length).toBeLessThanOrEqual(1);
    expect(answers.some((res) => errorCode(res) === 'UNAUTHENTICATED')).toBe(true);
    for (const res of won) {
      await waitUntil(
        () => refusedEverywhere(res.data.refreshSession.accessToken),
        'the winner’s token refused too',
      );
    }
    const [row] = await db.query('SELECT revoked_at FROM sessions WHERE user_id = $1', [
      user.user.id,
    ]);
    expect(row.revoked_at).not.toBeNull();
  });

  it.each([
    ['garbage', () => 'garbage'],
    ['empty', () => ''],
    ['an altered token', (t: string) => t.slice(0, -2) + (t.endsWith('AA') ? 'BB' : 'AA')],
    [
      'a token of another deployment',
      (t: string) => `${t.split('.').slice(0, 3).join('.')}.${'A'.repeat(43)}`,
    ],
    ['an access token', (_: string, a: string) => a],
  ])('refuses %s with UNAUTHENTICATED and changes nothing', async (_, make) => {
    const user = await register();
    const before = await sessionRows();
    const res = await refresh(make(user.refreshToken, user.accessToken));
    expect(errorCode(res)).toBe('UNAUTHENTICATED');
    expect(await sessionRows()).toEqual(before);
    // The real token still works: nothing was ended.
    expect(errorCode(await refresh(user.refreshToken))).toBeUndefined();
  });

  it('refuses the refresh token of an expired session, changing nothing', async () => {
    const user = await register();
    await db.query(
      `UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_id = $1`,
      [user.user.id],
    );
    const before = await sessionRows();
    expect(errorCode(await refresh(user.refreshToken))).toBe('UNAUTHENTICATED');
    expect(await sessionRows()).toEqual(before);
    const data = await gqlOk(apps[0].url, SESSIONS, {}, user.accessToken);
    expect(data.sessions).toEqual([]);
  });
});

describe('ending sessions', () => {
  it('logout stops the token at once on both instances and closes its sockets with 4403', async () => {
    const alice = await register();
    const other = await login(alice.user.username);
    const bob = await register();
    const c = await createConversation(apps[0].url, bob.accessToken, [alice.user.id]);
    // The session to end listens on instance 1 (a bare socket, so every frame is seen); the
    // sentinel listener, another session of Alice's, on the same instance.
    const frames: string[] = [];
    const raw = await waitForSubscriptions([apps[1]], 1, () =>
      rawSubscriber(apps[1].wsUrl, alice.accessToken, MESSAGE_ADDED),
    );
    defer(() => raw.close());
    const closed = new Promise<number>((resolve) => raw.once('close', resolve));
    raw.on('message', (data) => frames.push(String(data)));
    const sentinelWs = await connectWs(apps[1].wsUrl, other.accessToken);
    defer(() => sentinelWs.dispose());
    const sentinel = await waitForSubscriptions([apps[1]], 1, () =>
      subscribe(sentinelWs, MESSAGE_ADDED),
    );

    expect(await gqlOk(apps[0].url, 'mutation { logout }', {}, alice.accessToken)).toEqual({
      logout: true,
    });
    // The instance that ended it refuses at once; the other within a broadcast.
    expect(await meCode(alice.accessToken, apps[0])).toBe('UNAUTHENTICATED');
    expect(await closed).toBe(4403);
    await waitUntil(() => refusedEverywhere(alice.accessToken), 'both instances to refuse');
    expect(errorCode(await refresh(alice.refreshToken))).toBe('UNAUTHENTICATED');

    const framesAtClose = frames.length;
    await sendMessage(apps[0].url, bob.accessToken, c.id, 'after the logout');
    await sentinel.waitFor(1);
    expect(sentinel.events[0].messageAdded.text).toBe('after the logout');
    expect(frames.length).toBe(framesAtClose);
    expect(frames.join()).not.toContain('after the logout');
    // The other session is untouched, and a new connection with the ended token is refused.
    expect(await meCode(other.accessToken, apps[0])).toBe('OK');
    await expect(connectWs(apps[0].wsUrl, alice.accessToken)).rejects.toThrow('closed with 4403');
  });

  it('logoutEverywhere ends every session of the user, and only theirs', async () => {
    const user = await register();
    const second = await login(user.user.username);
    const stranger = await register();
    const ws = await connectWs(apps[1].wsUrl, second.accessToken);
    defer(() => ws.dispose());
    await gqlOk(apps[0].url, 'mutation { logoutEverywhere }', {}, user.accessToken);
    expect(await ws.closed).toBe(4403);
    await waitUntil(
      async () =>
        (await refusedEverywhere(user.accessToken)) && refusedEverywhere(second.accessToken),
      'both instances to refuse both tokens',
    );
    expect(errorCode(await refresh(second.refreshToken))).toBe('UNAUTHENTICATED');
    expect(await meCode(stranger.accessToken, apps[1])).toBe('OK');
  });

  it('revokeSession ends one session of the caller; another user’s is NOT_FOUND', async () => {
    const user = await register();
    const laptop = await login(user.user.username, 'Laptop');
    const stranger = await register();
    const REVOKE = 'mutation($id: ID!) { revokeSession(id: $id) }';
    const mine = (await gqlOk(apps[0].url, SESSIONS, {}, user.accessToken)).sessions;
    const laptopId = mine.find((s: { userAgent: string }) => s.userAgent === 'Laptop').id;

    const foreign = await gql(apps[0].url, REVOKE, { id: laptopId }, stranger.accessToken);
    expect(errorCode(foreign)).toBe('NOT_FOUND');
    expect(errorCode(await gql(apps[0].url, REVOKE, { id: 'nope' }, user.accessToken))).toBe(
      'NOT_FOUND',
    );
    expect(await meCode(laptop.accessToken)).toBe('OK');

    await gqlOk(apps[1].url, REVOKE, { id: laptopId }, user.accessToken);
    await waitUntil(() => refusedEverywhere(laptop.accessToken), 'both instances to refuse');
    const left = (await gqlOk(apps[0].url, SESSIONS, {}, user.accessToken)).sessions;
    expect(left.map((s: { id: string }) => s.id)).not.toContain(laptopId);
    expect(left).toHaveLength(1);
  });

  it('changePassword: a wrong current password changes nothing; a right one ends the other sessions', async () => {
    const user = await register();
    const other = await login(user.user.username);
    const CHANGE =
      'mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }';
    const wrong = await gql(
      apps[0].url,
      CHANGE,
      { c: 'not the password', n: 'a new password' },
      user.accessToken,
    );
    expect(errorCode(wrong)).toBe('BAD_USER_INPUT');
    expect(await meCode(other.accessToken, apps[1])).toBe('OK');
    await login(user.user.username); // the old password still works

    await gqlOk(apps[0].url, CHANGE, { c: PASSWORD, n: 'a new password' }, user.accessToken);
    await waitUntil(() => refusedEverywhere(other.accessToken), 'both instances to refuse');
    expect(await meCode(user.accessToken, apps[1])).toBe('OK');
    await expect(login(user.user.username)).rejects.toThrow('UNAUTHENTICATED');
    await login(user.user.username, undefined, 'a new password');
  });

  it('an instance started after a logout refuses the ended session (read from the database)', async () => {
    const user = await register();
    await gqlOk(apps[0].url, 'mutation { logout }', {}, user.accessToken);
    const late = await startApp(env);
    defer(() => late.close());
    expect(await meCode(user.accessToken, late)).toBe('UNAUTHENTICATED');
    const fresh = await register();
    expect(await meCode(fresh.accessToken, late)).toBe('OK');
  });
});

describe('ended sessions', () => {
  it('are removed a day after they end; live ones stay', async () => {
    const gone = await register();
    const expired = await register();
    const live = await register();
    await gqlOk(apps[0].url, 'mutation { logout }', {}, gone.accessToken);
    await db.query(
      `UPDATE sessions SET revoked_at = now() - interval '25 hours' WHERE user_id = $1`,
      [gone.user.id],
    );
    await db.query(
      `UPDATE sessions SET expires_at = now() - interval '25 hours' WHERE user_id = $1`,
      [expired.user.id],
    );
    // It reports what it removed (a pass continues while whole batches go).
    expect(await apps[1].app.get(EndedSessionsSweep).sweep()).toBe(2);
    const left = await db.query('SELECT user_id FROM sessions WHERE user_id = ANY($1)', [
      [gone.user.id, expired.user.id, live.user.id],
    ]);
    expect(left).toEqual([{ user_id: live.user.id }]);
    expect(await meCode(live.accessToken)).toBe('OK');
  });
});

describe('rate limits', () => {
  const limited = useApp({ env: { RATE_LIMITS: 'on', RATE_LIMIT_REFRESHES_PER_IP: '3/1m' } });

  it('limits refreshes per client address with TOO_MANY_REQUESTS', async () => {
    const { app } = limited;
    const input = { username: uniqueUsername('rl'), password: PASSWORD };
    let token: string = (await gqlOk(app.url, REGISTER, { input })).register.refreshToken;
    for (let i = 0; i < 3; i++) {
      const res = await gql(app.url, REFRESH, { t: token });
      expect(errorCode(res)).toBeUndefined();
      token = res.data.refreshSession.refreshToken;
    }
    expect(errorCode(await gql(app.url, REFRESH, { t: token }))).toBe('TOO_MANY_REQUESTS');
    // Refused before it was looked at: the token is not spent.
    const rows = await limited.db.query('SELECT generation FROM sessions');
    expect(rows).toEqual([{ generation: 4 }]);
  });
});
