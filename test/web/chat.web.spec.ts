/**
 * The web client in a real browser: Alice and Bob, each in a browser context of their own, on
 * two app instances (one PostgreSQL database, one Redis prefix), both serving the built app.
 * Alice reaches hers through a TCP proxy the test can cut: a real network drop. The tests run
 * in order, as one story: each starts from where the previous one left the two of them.
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useApp } from '../support/fixtures.js';
import { createConversation, sendMessage } from '../support/factories.js';
import { registerUser, uniqueUsername } from '../support/gql.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import {
  countOf,
  focused,
  gradientPng,
  launchBrowser,
  messageTexts,
  screenshot,
  send,
  signIn,
  signUp,
} from './browser.js';

const WAIT = { timeout: 15_000, interval: 50 };

// Both instances store uploads in one place, as they would share a bucket.
const dataDir = mkdtempSync(join(tmpdir(), 'chat-web-'));
// A closed page counts as offline at once (the grace period is for flaky networks).
const { apps } = useApp({ instances: 2, env: { DATA_DIR: dataDir, PRESENCE_GRACE_MS: '100' } });
const [app1, app2] = apps;
let proxy: TcpProxy;
let browser: Browser;
let aliceContext: BrowserContext;
let alice: Page;
let bob: Page;
const aliceName = uniqueUsername('alice');
const bobName = uniqueUsername('bob');
/** Alice and Bob's direct conversation. */
let directId: string;

beforeAll(async () => {
  browser = await launchBrowser();
  proxy = await startTcpProxy('127.0.0.1', app1.port);
  aliceContext = await browser.newContext({ viewport: { width: 1100, height: 720 } });
  const bobContext = await browser.newContext({ viewport: { width: 1100, height: 720 } });
  [alice, bob] = await Promise.all([aliceContext.newPage(), bobContext.newPage()]);
  for (const page of [alice, bob]) page.setDefaultTimeout(15_000);
});

afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const aliceUrl = () => `http://127.0.0.1:${proxy.port}`;

describe('the web client', () => {
  it('lets two people on two instances sign up and chat in real time', async () => {
    await Promise.all([
      signUp(alice, aliceUrl(), aliceName, 'Alice'),
      signUp(bob, app2.url, bobName, 'Bob'),
    ]);
    // Alice finds Bob and starts a direct conversation.
    await alice.getByRole('button', { name: 'New conversation' }).click();
    await alice.getByLabel('Find people').fill(bobName.slice(0, 6));
    await alice.getByRole('button', { name: new RegExp(bobName) }).click();
    await alice.getByRole('button', { name: 'Start conversation' }).click();
    await alice.getByRole('heading', { name: 'Bob', level: 2 }).waitFor();
    directId = decodeURIComponent(new URL(alice.url()).pathname.replace('/c/', ''));
    await send(alice, 'Hello Bob!');

    // Bob's list gains the conversation live (from the other instance), newest first.
    const fromAlice = bob.getByRole('link', { name: /Alice/ });
    await fromAlice.getByText('Hello Bob!').waitFor();
    await fromAlice.click();
    await bob.locator('[role=log] .msg__text', { hasText: 'Hello Bob!' }).waitFor();
    await send(bob, 'Hi Alice, good to see you here.');
    await alice.locator('[role=log] .msg__text', { hasText: 'good to see you' }).waitFor();

    expect(await messageTexts(alice)).toEqual(['Hello Bob!', 'Hi Alice, good to see you here.']);
    expect(await messageTexts(bob)).toEqual(await messageTexts(alice));
    // Each shows the other online.
    await expect
      .poll(() => alice.locator('.conversation-link .dot').getAttribute('data-presence'), WAIT)
      .toBe('ONLINE');
    await expect
      .poll(() => bob.locator('.conversation-link .dot').getAttribute('data-presence'), WAIT)
      .toBe('ONLINE');
  });

  it('shows an uploaded image inline on both sides', async () => {
    await alice.locator('input[type=file]').setInputFiles({
      name: 'gradient.png',
      mimeType: 'image/png',
      buffer: gradientPng(240, 135),
    });
    await alice.getByLabel(/^Message /).fill('A picture for you');
    await alice.getByRole('button', { name: 'Send' }).click();

    for (const page of [bob, alice]) {
      const image = page.getByRole('img', { name: 'gradient.png' });
      await image.waitFor();
      // Fetched with the bearer token and shown from an object URL: decoded, with its pixels.
      await expect
        .poll(
          () => image.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
          WAIT,
        )
        .toBe(240);
    }
    await screenshot(alice, 'chat-desktop');
    await screenshot(bob, 'chat-desktop-bob');
  });

  it('offers a retry for a failed send, and the retry never makes a second message', async () => {
    // Alice's network goes: her live socket drops. Her send reaches the server, but the answer
    // is lost on the way back (the route forwards the request straight to her instance, then
    // fails it): the message is stored, yet she sees it as not sent.
    proxy.cut();
    await alice.locator('[data-connection=offline]').waitFor({ state: 'attached' });
    let sends = 0;
    const forwardSend = async (route: Route) => {
      if (route.request().postDataJSON()?.operationName !== 'SendMessage') return route.fallback();
      const response = await route.fetch({ url: `${app1.url}/graphql` });
      sends++;
      if (sends === 1) await route.abort('connectionreset');
      else await route.fulfill({ response });
    };
    await alice.route('**/graphql', forwardSend);
    await send(alice, 'Sent only once');
    const retry = alice.getByRole('button', { name: 'Retry' });
    await retry.waitFor();
    await bob.locator('[role=log] .msg__text', { hasText: 'Sent only once' }).waitFor();

    // The retry carries the same clientMessageId: the server answers the stored message.
    await retry.click();
    await expect.poll(() => alice.locator('.msg--sending, .msg--failed').count(), WAIT).toBe(0);
    expect(sends).toBe(2);
    await alice.unroute('**/graphql', forwardSend);
    proxy.restore();
    await alice.locator('[data-connection=online]').waitFor({ state: 'attached' });

    // A sentinel after the retry: when Bob has it, any second copy would have come before it.
    await send(alice, 'Sentinel after the retry');
    await bob.locator('[role=log] .msg__text', { hasText: 'Sentinel after the retry' }).waitFor();
    expect(await countOf(bob, 'Sent only once')).toBe(1);
    expect(await countOf(alice, 'Sent only once')).toBe(1);
    expect(await messageTexts(alice)).toEqual(await messageTexts(bob));
  });

  it('resumes after the network drops: every message missed shows once, in order', async () => {
    // What the page asks for on the sockets it opens from now on: the open conversation's change
    // stream (the list's stream of all conversations has no conversationId).
    const resumes: { conversationId: string; afterEventSeq: number }[] = [];
    alice.on('websocket', (socket) =>
      socket.on('framesent', ({ payload }) => {
        const message = JSON.parse(String(payload));
        if (
          message.type === 'subscribe' &&
          /conversationEvents/.test(message.payload.query) &&
          message.payload.variables.conversationId
        )
          resumes.push(message.payload.variables);
      }),
    );
    // The newest change is a message Alice receives (not one she sent): once she shows it, her
    // stream has delivered every change up to it, so its eventSeq is the one she holds.
    await send(bob, 'Are you there?');
    await alice.locator('[role=log] .msg__text', { hasText: 'Are you there?' }).waitFor();
    const heldEventSeq = Math.max(
      ...(await alice
        .locator('[role=log] [data-event-seq]')
        .evaluateAll((items) => items.map((item) => Number(item.getAttribute('data-event-seq'))))),
    );
    proxy.cut();
    await aliceContext.setOffline(true);
    await alice.locator('[data-connection=offline]').waitFor({ state: 'attached' });
    const missed = ['While you were away 1', 'While you were away 2', 'While you were away 3'];
    for (const text of missed) await send(bob, text);
    // All stored (confirmed on Bob's side) before Alice comes back.
    await expect.poll(() => bob.locator('.msg--sending, .msg--failed').count(), WAIT).toBe(0);
    expect(await countOf(alice, missed[0])).toBe(0);

    proxy.restore();
    await aliceContext.setOffline(false);
    await alice.locator('[data-connection=online]').waitFor({ state: 'attached' });
    await send(bob, 'Live again');
    await alice.locator('[role=log] .msg__text', { hasText: 'Live again' }).waitFor();

    // One resubscription, from the highest eventSeq held: the server sent just what was missed.
    expect(resumes).toEqual([{ conversationId: directId, afterEventSeq: heldEventSeq }]);
    const seen = await messageTexts(alice);
    expect(seen.slice(-4)).toEqual([...missed, 'Live again']);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(await messageTexts(bob));
  });

  it('pages back through history by scrolling up', async () => {
    const dave = await registerUser(app2.url, 'dave');
    const bobUser = await registerUser(app2.url, 'bobapi');
    const { id } = await createConversation(app2.url, dave.token, [bobUser.id]);
    const texts = Array.from({ length: 75 }, (_, i) => `History ${i + 1}`);
    for (const text of texts) await sendMessage(app2.url, dave.token, id, text);

    const context = await browser.newContext({ viewport: { width: 1100, height: 720 } });
    const page = await context.newPage();
    try {
      await signIn(page, app2.url, bobUser.username);
      // A deep link: the server answers /c/<id> with the app, which opens the conversation.
      await page.goto(`${app2.url}/c/${id}`);
      await page.locator('[role=log] .msg__text', { hasText: 'History 75' }).waitFor();
      expect(await countOf(page, 'History 1')).toBe(0);
      const start = page.getByText('This is the start of the conversation.');
      while (!(await start.isVisible())) {
        await page.getByRole('log').evaluate((log) => log.scrollTo({ top: 0 }));
        await page.waitForTimeout(100);
      }
      expect(await messageTexts(page)).toEqual(texts);
    } finally {
      await context.close();
    }
  });

  it('starts a group by searching people, and lists its members', async () => {
    const carol = await registerUser(app1.url, 'carol');
    await alice.getByRole('button', { name: 'New conversation' }).click();
    for (const name of [bobName, carol.username]) {
      await alice.getByLabel('Find people').fill(name);
      await alice.getByRole('button', { name: new RegExp(name) }).click();
    }
    await alice.getByLabel('Group name').fill('Weekend plans');
    await alice.getByRole('button', { name: 'Create group' }).click();
    await alice.getByRole('heading', { name: 'Weekend plans', level: 2 }).waitFor();
    // Keyboard users land in the composer of the conversation they opened.
    await expect.poll(() => focused(alice).then((e) => e?.id), WAIT).toBe('composer-text');
    await send(alice, 'Who is in?');
    await bob.getByRole('link', { name: /Weekend plans/ }).waitFor();

    const membersButton = alice.getByRole('button', { name: 'Members' });
    await membersButton.click();
    const members = alice.getByRole('list', { name: 'Members' }).getByRole('listitem');
    await expect
      .poll(() => members.allTextContents(), WAIT)
      .toEqual([
        expect.stringContaining('Alice'),
        expect.stringContaining('Bob'),
        expect.stringContaining('carol'),
      ]);
    await alice.keyboard.press('Escape');
    // The dialog gives focus back to the button that opened it.
    await expect.poll(() => focused(alice).then((e) => e?.text), WAIT).toBe('Members');
  });

  it('works on a phone-width screen: the list and the conversation as two views', async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 720 } });
    const phone = await context.newPage();
    try {
      await signIn(phone, app2.url, bobName);
      const list = phone.getByRole('navigation', { name: 'Conversations' });
      await list.locator(`a[data-conversation="${directId}"]`).click();
      await phone.getByRole('heading', { name: 'Alice', level: 2 }).waitFor();
      expect(await list.isVisible()).toBe(false);
      // No keyboard pops up over the messages: focus goes to the heading.
      await expect.poll(() => focused(phone).then((e) => e?.tag), WAIT).toBe('H2');
      await phone.locator('[role=log] .msg__text', { hasText: 'Live again' }).waitFor();
      await screenshot(phone, 'chat-phone');
      await phone.getByRole('link', { name: 'Back to conversations' }).click();
      await list.waitFor();
      expect(await phone.getByRole('log').isVisible()).toBe(false);
    } finally {
      await context.close();
    }
  });

  it("turns Alice's presence dot off on Bob's side when she closes the page", async () => {
    const dot = bob.locator(`.conversation-link .dot[data-user="${aliceName}"]`).first();
    await expect.poll(() => dot.getAttribute('data-presence'), WAIT).toBe('ONLINE');
    await alice.close();
    await expect.poll(() => dot.getAttribute('data-presence'), WAIT).toBe('OFFLINE');
  });
});
