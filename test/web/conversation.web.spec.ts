/**
 * The web client's conversation features in a real browser, Alice on one app instance and Bob
 * on the other (one PostgreSQL database, one Redis prefix): unread badges that appear and
 * clear (on Bob's other tab too), edits, deletions, reactions and replies seen live on the
 * other side and caught up after a network drop, a role change and a rename seen by the
 * member concerned, and search with highlighted words. The tests run in order, as one story.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversation, sendMessage } from '../support/factories.js';
import { useApp } from '../support/fixtures.js';
import { registerUser, type TestUser } from '../support/gql.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import {
  ARTIFACTS,
  countOf,
  focused,
  launchBrowser,
  messageTexts,
  screenshot,
  send,
  signIn,
} from './browser.js';

const WAIT = { timeout: 15_000, interval: 50 };

const { apps } = useApp({ instances: 2 });
const [app1, app2] = apps;
let browser: Browser;
/** Bob reaches his instance through a proxy the test can cut: a real network drop. */
let proxy: TcpProxy;
let bobContext: BrowserContext;
let alice: Page;
let bob: Page;
/** Bob's second tab, on the other instance. */
let bobTab: Page;
let aliceUser: TestUser;
let bobUser: TestUser;
let carolUser: TestUser;
let directId: string;
let groupId: string;

const bobUrl = () => `http://127.0.0.1:${proxy.port}`;
const link = (page: Page, id: string) => page.locator(`a[data-conversation="${id}"]`);
const badge = (page: Page, id: string) => link(page, id).locator('.badge');
/** A message of the open conversation, by its text. */
const messageWith = (page: Page, text: string) =>
  page.locator('[role=log] .msg', { has: page.locator('.msg__text', { hasText: text }) });

/** Opens a message's actions menu with the keyboard (focus, Enter) and picks an item. */
async function act(page: Page, text: string, item: string | RegExp | null) {
  const button = messageWith(page, text).getByRole('button', { name: /^Actions for/ });
  await button.focus();
  await page.keyboard.press('Enter');
  await page.getByRole('menu').waitFor();
  if (item === null) return;
  await page
    .getByRole('menu')
    .getByRole(/React/.test(String(item)) ? 'menuitemcheckbox' : 'menuitem', { name: item })
    .click();
}

beforeAll(async () => {
  browser = await launchBrowser();
  proxy = await startTcpProxy('127.0.0.1', app2.port);
  [aliceUser, bobUser, carolUser] = await Promise.all([
    registerUser(app1.url, 'Alice'),
    registerUser(app1.url, 'Bob'),
    registerUser(app1.url, 'Carol'),
  ]);
  directId = (await createConversation(app1.url, aliceUser.token, [bobUser.id])).id;
  groupId = (
    await createConversation(app1.url, aliceUser.token, [bobUser.id, carolUser.id], 'Project')
  ).id;
  const aliceContext = await browser.newContext({ viewport: { width: 1100, height: 720 } });
  bobContext = await browser.newContext({ viewport: { width: 1100, height: 720 } });
  [alice, bob, bobTab] = await Promise.all([
    aliceContext.newPage(),
    bobContext.newPage(),
    bobContext.newPage(),
  ]);
  for (const page of [alice, bob, bobTab]) page.setDefaultTimeout(15_000);
  await Promise.all([
    signIn(alice, app1.url, aliceUser.username),
    signIn(bob, bobUrl(), bobUser.username),
    signIn(bobTab, app1.url, bobUser.username),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await proxy?.close();
});

describe('the web client, in a conversation', () => {
  it('shows an unread badge for a conversation Bob has not open, and clears it when he opens it', async () => {
    // Bob reads the group; Alice writes in their direct conversation.
    await link(bob, groupId).click();
    await bob.getByRole('heading', { name: 'Project', level: 2 }).waitFor();
    await link(alice, directId).click();
    await alice.getByRole('heading', { name: 'Bob', level: 2 }).waitFor();
    await send(alice, 'Lunch at noon?');
    await send(alice, 'A mesage with a typo');

    // The tab's title counts them too.
    await expect.poll(() => bobTab.title(), WAIT).toBe('(2) Chat');
    for (const page of [bob, bobTab]) {
      await expect.poll(() => badge(page, directId).getAttribute('data-unread'), WAIT).toBe('2');
      await expect(badge(page, directId).textContent()).resolves.toContain('2 unread');
    }
    // The open group counts nothing.
    expect(await badge(bob, groupId).count()).toBe(0);
    await screenshot(bob, 'unread-badge');

    await link(bob, directId).click();
    await messageWith(bob, 'A mesage with a typo').waitFor();
    await expect.poll(() => badge(bob, directId).count(), WAIT).toBe(0);
    // Read on one tab: the other tab's badge clears too (the reader's own read receipts).
    await expect.poll(() => badge(bobTab, directId).count(), WAIT).toBe(0);
    // And Alice sees that Bob has read her messages (his read receipt, across instances).
    await expect
      .poll(() => alice.locator('[role=log] .msg__seen').textContent(), WAIT)
      .toBe('Seen');
    expect(await alice.title()).toBe('Chat');
    await expect.poll(() => bobTab.title(), WAIT).toBe('Chat');
    // While the conversation is open, new messages are read as they come: no badge.
    // (Each list shows the message in its preview first: the event has been applied.)
    await send(alice, 'Are you there?');
    await messageWith(bob, 'Are you there?').waitFor();
    for (const page of [bob, bobTab]) {
      await link(page, directId).getByText('Are you there?').waitFor();
      await expect.poll(() => badge(page, directId).count(), WAIT).toBe(0);
    }
    await expect.poll(() => alice.locator('[role=log] .msg__seen').count(), WAIT).toBe(1);
  });

  it("shows Alice's edit and deletion on Bob's side, live", async () => {
    await act(alice, 'Lunch at noon?', 'Edit');
    const editor = alice.getByLabel('Edit message');
    await expect.poll(() => focused(alice).then((e) => e?.tag), WAIT).toBe('TEXTAREA');
    await editor.fill('Lunch at 1pm?');
    await editor.press('Enter');
    await messageWith(bob, 'Lunch at 1pm?').getByText('edited').waitFor();
    // Focus goes back to the message's menu button.
    await expect.poll(() => focused(alice).then((e) => e?.text), WAIT).toBe('⋯');
    expect(await countOf(bob, 'Lunch at noon\\?')).toBe(0);

    await act(alice, 'A mesage with a typo', 'Delete');
    const confirm = alice.getByRole('dialog', { name: 'Delete message?' });
    await confirm.getByRole('button', { name: 'Delete' }).click();
    // Focus goes to the tombstone (the menu button went with the message).
    await expect.poll(() => focused(alice).then((e) => e?.text), WAIT).toContain('Message deleted');
    // A tombstone in its place (same seq) on both sides.
    for (const page of [alice, bob]) {
      await page.locator('[role=log] .msg--deleted').getByText('Message deleted').waitFor();
      expect(await countOf(page, 'A mesage with a typo')).toBe(0);
    }
    expect(await messageTexts(bob)).toEqual(['Lunch at 1pm?', 'Are you there?']);
  });

  it('shows reactions with counts and "you reacted", toggled from the keyboard', async () => {
    await act(bob, 'Lunch at 1pm?', 'React with 👍');
    await messageWith(alice, 'Lunch at 1pm?').getByRole('button', { name: '👍 1' }).waitFor();
    const mine = messageWith(bob, 'Lunch at 1pm?').getByRole('button', {
      name: '👍 1, you reacted',
    });
    await mine.waitFor();
    expect(await mine.getAttribute('aria-pressed')).toBe('true');
    // Alice adds hers by clicking the reaction.
    await messageWith(alice, 'Lunch at 1pm?').getByRole('button', { name: '👍 1' }).click();
    await messageWith(bob, 'Lunch at 1pm?')
      .getByRole('button', { name: '👍 2, you reacted' })
      .waitFor();
    await messageWith(alice, 'Lunch at 1pm?')
      .getByRole('button', { name: '👍 2, you reacted' })
      .waitFor();
  });

  it('replies with the quote above, and a click on the quote shows the message', async () => {
    await act(bob, 'Lunch at 1pm?', 'Reply');
    await bob.getByRole('group', { name: 'Replying' }).getByText('Lunch at 1pm?').waitFor();
    await expect.poll(() => focused(bob).then((e) => e?.id), WAIT).toBe('composer-text');
    await send(bob, 'Sounds good');
    await expect(bob.getByRole('group', { name: 'Replying' }).count()).resolves.toBe(0);
    const quoted = messageWith(alice, 'Sounds good').getByRole('button', {
      name: /^Reply to Alice: Lunch at 1pm/,
    });
    await expect.poll(() => quoted.textContent(), WAIT).toContain('Lunch at 1pm?');
    await quoted.click();
    // The quoted message gets the focus.
    await expect.poll(() => focused(alice).then((e) => e?.text), WAIT).toContain('Lunch at 1pm?');
  });

  it('catches up after the network drops: every change missed applies once', async () => {
    const before = await messageTexts(bob);
    proxy.cut();
    await bobContext.setOffline(true);
    await bob.locator('[data-connection=offline]').waitFor({ state: 'attached' });
    await act(alice, 'Are you there?', 'Edit');
    await alice.getByLabel('Edit message').fill('Are you there? (edited offline)');
    await alice.getByLabel('Edit message').press('Enter');
    await messageWith(alice, 'Are you there? (edited offline)').waitFor();
    await act(alice, 'Sounds good', 'React with 🎉');
    await messageWith(alice, 'Sounds good')
      .getByRole('button', { name: '🎉 1, you reacted' })
      .waitFor();
    await send(alice, 'Missed while away');
    await messageWith(alice, 'Missed while away').waitFor();

    proxy.restore();
    await bobContext.setOffline(false);
    await bob.locator('[data-connection=online]').waitFor({ state: 'attached' });
    await messageWith(bob, 'Missed while away').waitFor();
    await messageWith(bob, 'Are you there? (edited offline)').waitFor();
    await messageWith(bob, 'Sounds good').getByRole('button', { name: '🎉 1' }).waitFor();
    // A sentinel after the catch-up: anything doubled would be there before it.
    await send(alice, 'Sentinel');
    await messageWith(bob, 'Sentinel').waitFor();
    const after = await messageTexts(bob);
    expect(after).toEqual([
      ...before.map((t) => (t === 'Are you there?' ? 'Are you there? (edited offline)' : t)),
      'Missed while away',
      'Sentinel',
    ]);
    expect(after).toEqual(await messageTexts(alice));

    // The picture for the README: Bob's view, with an unread badge on the group.
    await sendMessage(app1.url, carolUser.token, groupId, 'Standup moved to 10:00');
    await expect.poll(() => badge(bob, groupId).getAttribute('data-unread'), WAIT).toBe('1');
    await screenshot(alice, 'conversation-alice');
    await screenshot(bob, 'conversation-bob');
    // `WEB_SCREENSHOT_DOCS=1` refreshes the README's screenshot from this run.
    if (process.env.WEB_SCREENSHOT_DOCS)
      copyFileSync(join(ARTIFACTS, 'conversation-bob.png'), 'docs/web-client.png');
  });

  it("shows a role change on the member's side, with what the new role allows", async () => {
    await link(bob, groupId).click();
    await bob.getByRole('heading', { name: 'Project', level: 2 }).waitFor();
    await bob.getByRole('button', { name: 'Members' }).click();
    const bobsDialog = bob.getByRole('dialog', { name: /^Members/ });
    const bobRow = bobsDialog.getByRole('listitem').filter({ hasText: '(you)' });
    await expect.poll(() => bobRow.locator('.role').textContent(), WAIT).toBe('Member');
    // A plain member is offered no removal, no rename, no role changes.
    expect(await bobsDialog.getByRole('button', { name: /^Remove / }).count()).toBe(0);
    expect(await bobsDialog.getByLabel('Group name').count()).toBe(0);
    expect(await bobsDialog.getByRole('combobox').count()).toBe(0);

    // Alice, the owner, makes Bob an admin from her members dialog.
    await link(alice, groupId).click();
    await alice.getByRole('heading', { name: 'Project', level: 2 }).waitFor();
    await alice.getByRole('button', { name: 'Members' }).click();
    const alicesDialog = alice.getByRole('dialog', { name: /^Members/ });
    await alicesDialog.getByLabel('Role of Bob').selectOption('ADMIN');

    // Bob's open dialog follows: he is an admin, and may now remove Carol (a member) and rename.
    await expect.poll(() => bobRow.locator('.role').textContent(), WAIT).toBe('Admin');
    await bobsDialog.getByRole('button', { name: 'Remove Carol' }).waitFor();
    expect(await bobsDialog.getByRole('button', { name: 'Remove Alice' }).count()).toBe(0);
    await bobsDialog.getByLabel('Group name').fill('Project X');
    await bobsDialog.getByRole('button', { name: 'Rename' }).click();
    // The new name on Alice's side: her heading and her list.
    await alice.keyboard.press('Escape');
    await alice.getByRole('heading', { name: 'Project X', level: 2 }).waitFor();
    await link(alice, groupId).getByText('Project X').waitFor();
    await screenshot(bob, 'members-bob');
    await bob.keyboard.press('Escape');
  });

  it('mentions a member picked after "@": marked in the message, and counted for them', async () => {
    // Bob reads his direct conversation meanwhile, not the group.
    await link(bob, directId).click();
    await bob.getByRole('heading', { name: 'Alice', level: 2 }).waitFor();
    const composer = alice.getByLabel(/^Message /);
    await composer.fill('@Bo');
    const option = alice.getByRole('option', { name: /^Bob/ });
    await option.waitFor();
    expect(await option.getAttribute('aria-selected')).toBe('true');
    await composer.press('Enter');
    await expect.poll(() => composer.inputValue(), WAIT).toBe('@Bob ');
    await composer.pressSequentially('can you check the notes?');
    await composer.press('Enter');
    // The group's badge says it mentions him, in both his tabs.
    for (const page of [bob, bobTab])
      await expect
        .poll(() => badge(page, groupId).textContent(), WAIT)
        .toContain('1 unread, 1 mentioning you');
    // He opens it: the mention of him is marked.
    await link(bob, groupId).click();
    const mention = messageWith(bob, 'can you check the notes?').locator('.mention--me');
    await expect.poll(() => mention.textContent(), WAIT).toBe('@Bob');
  });

  it('searches messages and marks the words found; a result opens its conversation', async () => {
    await bob.getByLabel('Search messages').fill('lunch');
    const result = bob.getByRole('link', { name: /Lunch at 1pm\?/ });
    await result.waitFor();
    expect(await result.locator('mark').allTextContents()).toEqual(['Lunch']);
    await screenshot(bob, 'search');
    await result.click();
    await bob.getByRole('heading', { name: 'Alice', level: 2 }).waitFor();
    // The message found is shown and focused.
    await expect.poll(() => focused(bob).then((e) => e?.text), WAIT).toContain('Lunch at 1pm?');
    // Opening a result ends the search: the list is back.
    await link(bob, directId).waitFor();
    expect(await bob.getByLabel('Search messages').inputValue()).toBe('');

    // A result further back than the newest page: the conversation pages back to it.
    const { id: carolsId } = await createConversation(app1.url, carolUser.token, [bobUser.id]);
    await sendMessage(app1.url, carolUser.token, carolsId, 'A needle in the haystack');
    for (let i = 1; i <= 45; i++)
      await sendMessage(app1.url, carolUser.token, carolsId, `Hay ${i}`);
    await bob.getByLabel('Search messages').fill('needle');
    await bob.getByRole('link', { name: /A needle in the haystack/ }).click();
    await bob.getByRole('heading', { name: 'Carol', level: 2 }).waitFor();
    await expect
      .poll(() => focused(bob).then((e) => e?.text), WAIT)
      .toContain('A needle in the haystack');
  });

  it("fits a phone-width screen: a message's actions menu stays on screen, and Escape returns focus", async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 720 } });
    const phone = await context.newPage();
    try {
      await signIn(phone, app1.url, bobUser.username);
      await link(phone, directId).click();
      await messageWith(phone, 'Lunch at 1pm?').waitFor();
      // Bob's own message (right-aligned) and Alice's (left-aligned): both menus fit.
      for (const text of ['Sounds good', 'Lunch at 1pm?']) {
        await act(phone, text, null);
        const box = await phone.getByRole('menu').boundingBox();
        expect(box!.x).toBeGreaterThanOrEqual(0);
        expect(box!.x + box!.width).toBeLessThanOrEqual(375);
        if (text === 'Lunch at 1pm?') await screenshot(phone, 'menu-phone');
        await phone.keyboard.press('Escape');
        await expect.poll(() => phone.getByRole('menu').count(), WAIT).toBe(0);
        // Escape gives focus back to the menu button.
        await expect.poll(() => focused(phone).then((e) => e?.text), WAIT).toBe('⋯');
      }
    } finally {
      await context.close();
    }
  });
});
