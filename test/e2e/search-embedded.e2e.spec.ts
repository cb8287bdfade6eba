/**
 * Search in the embedded mode (no DATABASE_URL: PGlite): the migration's extensions (unaccent,
 * pg_trgm, btree_gin) load there, and words, accents, phrases, exclusions and substrings match
 * as on PostgreSQL.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type InProcessApp } from '../support/app.js';
import { createConversation, sendMessage } from '../support/factories.js';
import { gqlOk, registerUsers, type TestUser } from '../support/gql.js';

const SEARCH = `query($q: String!) { searchMessages(query: $q, first: 50) {
  edges { node { text } highlights { start length } } } }`;

let app: InProcessApp;
let dataDir: string;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'chat-search-'));
  app = await startApp({ DATABASE_URL: '', REDIS_URL: '', DATA_DIR: dataDir });
  [alice, bob] = await registerUsers(app.url, ['alice', 'bob']);
}, 120_000);

afterAll(async () => {
  await app?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('searchMessages on the embedded PostgreSQL', () => {
  it('matches words, accents, phrases, exclusions and substrings', async () => {
    const c = await createConversation(app.url, alice.token, [bob.id], 'embedded');
    await sendMessage(app.url, alice.token, c.id, 'Rendez-vous au Café de Flore');
    await sendMessage(app.url, alice.token, c.id, 'the red car is fast');
    await sendMessage(app.url, alice.token, c.id, '東京タワーに行きました');
    const texts = async (q: string) =>
      (
        (await gqlOk(app.url, SEARCH, { q }, bob.token)).searchMessages.edges as {
          node: { text: string };
        }[]
      ).map((e) => e.node.text);
    expect(await texts('cafe FLORE')).toEqual(['Rendez-vous au Café de Flore']);
    expect(await texts('"red car" -slow')).toEqual(['the red car is fast']);
    expect(await texts('"car red"')).toEqual([]);
    expect(await texts('タワー')).toEqual(['東京タワーに行きました']);
    expect(await texts('京')).toEqual(['東京タワーに行きました']);
  });
});
