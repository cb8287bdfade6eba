/**
 * The web client keeps a session alive with short access tokens (4 s here): it refreshes before
 * each token expires, its socket outlives the first token (4401, refresh, reconnect) and keeps
 * delivering, and "Sign out" ends the session on the server too.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversation, sendMessage } from '../support/factories.js';
import { useApp } from '../support/fixtures.js';
import { errorCode, gql, registerUser, uniqueUsername } from '../support/gql.js';
import { sleep, waitUntil } from '../support/wait.js';
import { launchBrowser, signUp } from './browser.js';

const { app } = useApp({ env: { ACCESS_TOKEN_TTL: '4s' } });
let browser: Browser;
let alice: Page;

beforeAll(async () => {
  browser = await launchBrowser();
  alice = await (await browser.newContext()).newPage();
  alice.setDefaultTimeout(15_000);
});
afterAll(async () => {
  await browser?.close();
});

interface Stored {
  token: string;
  expiresAt: string;
  refreshToken: string;
  user: { id: string };
}
const stored = async (): Promise<Stored> =>
  JSON.parse(
    (await alice.evaluate<string | null>("sessionStorage.getItem('chat.session')")) ?? 'null',
  );

describe('the web client with short-lived access tokens', () => {
  it('refreshes before expiry, keeps its socket delivering, and signs out on the server', async () => {
    await signUp(alice, app.url, uniqueUsername('alice'), 'Alice');
    const first = await stored();
    const tokens = new Set([first.token]);
    await waitUntil(async () => tokens.add((await stored()).token).size >= 3, 'two refreshes');
    // Past the first token's life: the socket it opened with would have been closed by now.
    await sleep(Math.max(0, Date.parse(first.expiresAt) - Date.now() + 500));
    const bob = await registerUser(app.url, 'bob');
    const c = await createConversation(app.url, bob.token, [first.user.id]);
    await sendMessage(app.url, bob.token, c.id, 'still there?');
    await alice.getByRole('link', { name: /bob/ }).getByText('still there?').waitFor();
    await alice.getByRole('link', { name: /bob/ }).click();
    await alice.locator('[role=log] .msg__text', { hasText: 'still there?' }).waitFor();

    const last = await stored();
    await alice.getByRole('button', { name: 'Sign out' }).click();
    await alice.getByRole('button', { name: 'Sign in' }).waitFor();
    const after = await gql(
      app.url,
      'mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken } }',
      { t: last.refreshToken },
    );
    expect(errorCode(after)).toBe('UNAUTHENTICATED');
  });
});
