/**
 * DATABASE_READ_URL on a real streaming replica (pg_basebackup of a throwaway primary): history
 * pages and user searches are read there, and a page never misses a message the primary has —
 * with the replica's replay paused (it lags on demand), the page comes from the primary.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type InProcessApp } from '../support/app.js';
import { createConversation, sendMessage } from '../support/factories.js';
import { gqlOk, registerUsers, type TestUser } from '../support/gql.js';
import { startPgReplicaPair, type PgReplicaPair } from '../support/pg-replica.js';
import { waitUntil } from '../support/wait.js';

const HISTORY = `query($c: ID!) { messages(conversationId: $c, last: 50) { edges { node { seq text } } } }`;
const SEARCH = `query($s: String) { users(search: $s, first: 10) { edges { node { username } } } }`;

let pair: PgReplicaPair;
let app: InProcessApp;
beforeAll(async () => {
  pair = await startPgReplicaPair();
  app = await startApp({ DATABASE_URL: pair.primaryUrl, DATABASE_READ_URL: pair.replicaUrl });
}, 90_000);
afterAll(async () => {
  await app?.close();
  await pair?.stop();
});

/** Index and sequential scans of a table the replica has run (its own statistics). */
const replicaScans = async (table: string) => {
  const [row] = await pair.onReplica<{ n: string }>(
    'SELECT coalesce(idx_scan, 0) + coalesce(seq_scan, 0) AS n FROM pg_stat_user_tables WHERE relname = $1',
    [table],
  );
  return Number(row?.n ?? 0);
};

const history = async (user: TestUser, conversationId: string) =>
  (await gqlOk(app.url, HISTORY, { c: conversationId }, user.token)).messages.edges.map(
    (e: { node: { seq: number; text: string } }) => e.node.text,
  );

describe('a read replica', () => {
  it('serves history pages once it has the conversation, and user searches', async () => {
    const [alice, bob] = await registerUsers(app.url, ['alice', 'bob']);
    const c = await createConversation(app.url, alice.token, [bob.id]);
    for (const text of ['one', 'two', 'three']) await sendMessage(app.url, alice.token, c.id, text);
    const before = await replicaScans('messages');
    // Every answer is complete; the replica's own statistics show it answered (they are
    // published about once a second, and it must first have replayed the sends).
    await waitUntil(
      async () => {
        expect(await history(bob, c.id)).toEqual(['one', 'two', 'three']);
        return (await replicaScans('messages')) > before;
      },
      'a page read on the replica',
      20_000,
      200,
    );

    const usersBefore = await replicaScans('users');
    await waitUntil(
      async () => {
        const found = await gqlOk(app.url, SEARCH, { s: 'alice' }, bob.token);
        expect(found.users.edges.length).toBeLessThanOrEqual(1);
        return (await replicaScans('users')) > usersBefore;
      },
      'a search on the replica',
      20_000,
      200,
    );
  });

  it('reads from the primary while the replica is behind the conversation', async () => {
    const [alice, bob] = await registerUsers(app.url, ['carol', 'dave']);
    const c = await createConversation(app.url, alice.token, [bob.id]);
    await sendMessage(app.url, alice.token, c.id, 'replicated');
    await waitUntil(
      async () =>
        (await pair.onReplica('SELECT 1 FROM messages WHERE conversation_id = $1', [c.id]))
          .length === 1,
      'the replica to have the first message',
    );
    await pair.pauseReplay();
    try {
      await sendMessage(app.url, alice.token, c.id, 'just sent');
      // The replica really is behind: it has one message of two.
      const onReplica = await pair.onReplica('SELECT 1 FROM messages WHERE conversation_id = $1', [
        c.id,
      ]);
      expect(onReplica).toHaveLength(1);
      expect(await history(alice, c.id)).toEqual(['replicated', 'just sent']);
      expect(await history(bob, c.id)).toEqual(['replicated', 'just sent']);
    } finally {
      await pair.resumeReplay();
    }
  });
});
