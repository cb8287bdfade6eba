/**
 * Playwright (playwright-core, no browser download) driving Debian's Chromium, and the steps a
 * person takes in the web client, for the browser tests. Screenshots go to test-results/web/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { crc32 } from '../support/files.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = join(process.cwd(), 'test-results', 'web');
export const PASSWORD = 'correct horse battery';

export function launchBrowser(): Promise<Browser> {
  // Playwright gives every launch a fresh, empty --user-data-dir of its own.
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      // This machine's network is closed: no background calls to Google's hosts.
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

/** Opens the app and creates an account through its sign-up form. */
export async function signUp(page: Page, baseUrl: string, username: string, displayName: string) {
  await page.goto(baseUrl);
  await page.getByRole('button', { name: 'Create an account' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Display name').fill(displayName);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Conversations' }).waitFor();
}

export async function signIn(page: Page, baseUrl: string, username: string) {
  await page.goto(baseUrl);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Conversations' }).waitFor();
}

/** Types into the open conversation's composer and sends with Enter. */
export async function send(page: Page, text: string): Promise<void> {
  const composer = page.getByLabel(/^Message /);
  await composer.fill(text);
  await composer.press('Enter');
}

/** The texts of the open conversation's messages, top to bottom (confirmed and pending). */
export function messageTexts(page: Page): Promise<string[]> {
  return page.locator('[role=log] .msg__text').allTextContents();
}

/** How often `text` shows in the open conversation. */
export function countOf(page: Page, text: string): Promise<number> {
  return page.locator('[role=log] .msg__text', { hasText: new RegExp(`^${text}$`) }).count();
}

/** A real RGB PNG (a gradient), large enough to see in a screenshot. */
export function gradientPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      row[1 + x * 3] = Math.round((255 * x) / width);
      row[2 + x * 3] = Math.round((255 * y) / height);
      row[3 + x * 3] = 200;
    }
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** What has the keyboard focus (this project's Node types have no DOM: the code is a string). */
export function focused(page: Page): Promise<{ tag: string; id: string; text: string } | null> {
  return page.evaluate(`(() => {
    const e = document.activeElement;
    return e ? { tag: e.tagName, id: e.id, text: e.textContent ?? '' } : null;
  })()`);
}
