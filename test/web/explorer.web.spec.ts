/**
 * The GraphQL explorer in a real browser cut off from every network but the instance: GraphiQL
 * loads from the instance itself (no CDN), under its Content-Security-Policy, introspects the
 * schema and shows it in the docs explorer, and runs an operation.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, testEnv, type InProcessApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { launchBrowser, screenshot } from './browser.js';

let db: TestDatabase;
let app: InProcessApp;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Requests the page tried to make anywhere but the instance (each was aborted). */
const elsewhere: string[] = [];
/** Console errors, CSP violations included, and uncaught exceptions. */
const problems: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  // Outside production (development, and test as here) the explorer is served.
  [app, browser] = await Promise.all([
    startApp(testEnv({ DATABASE_URL: db.url })),
    launchBrowser(),
  ]);
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const origin = new URL(app.url).origin;
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (new URL(url).origin === origin) return route.continue();
    elsewhere.push(url);
    return route.abort('internetdisconnected');
  });
  page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(String(error)));
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await db?.drop();
});

describe('the GraphQL explorer', () => {
  it("shows the schema's types in the docs explorer, loading nothing from elsewhere", async () => {
    await page.goto(`${app.url}/graphql`);
    await page.getByRole('button', { name: /documentation explorer/i }).click();
    const docs = page.locator('.graphiql-doc-explorer');
    await docs.getByRole('link', { name: 'Query', exact: true }).click();
    // The Query type's fields, as the schema has them.
    for (const field of ['conversation', 'conversations', 'me', 'messages', 'users']) {
      await docs.getByRole('link', { name: field, exact: true }).waitFor();
    }
    await screenshot(page, 'explorer-docs');
    expect(elsewhere).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('runs an operation against the instance', async () => {
    await page.goto(`${app.url}/graphql?query=${encodeURIComponent('query Probe { __typename }')}`);
    await page.getByRole('button', { name: /execute query/i }).click();
    await page.locator('.result-window').getByText('"Query"').waitFor();
    await screenshot(page, 'explorer-result');
    expect(elsewhere).toEqual([]);
    expect(problems).toEqual([]);
  });
});
