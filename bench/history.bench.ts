/**
 * npm run bench:history — a conversation of 1,000,000 messages (filled with generate_series) and
 * a user in 1,000 conversations; the latency of a 50-message GraphQL page at the newest end, the
 * middle and the oldest end, and of conversations(first: 20). Goal: the deepest page within 1.5×
 * of the newest (history pages are seq ranges on an index, never OFFSET).
 */
import { createTestDatabase } from '../test/support/database.js';
import { gqlOk, registerUser } from '../test/support/gql.js';
import { startInstance } from './load/targets.load.js';
import { createDeepConversation } from './load/fixtures.load.js';
import { ms, timeRuns, type Summary } from './load/stats.load.js';
import { cursorOf, PAGE } from './scenarios/history.scenario.js';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1_000_000);
const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 300);

const LIST = `{ conversations(first: 20) { edges { cursor node { id title lastMessageAt
  participants { id username } lastMessage { seq text sender { id } } } } pageInfo { hasNextPage endCursor } } }`;

async function main(): Promise<void> {
  const db = await createTestDatabase({ prefix: 'chat_bench', poolSize: 4 });
  const server = await startInstance('server', {
    databaseUrl: db.url,
    redisUrl: '',
    redisPrefix: '',
  });
  try {
    const alice = await registerUser(server.url, 'alice');
    const bob = await registerUser(server.url, 'bob');
    let started = Date.now();
    const big = await createDeepConversation(db, alice, bob, MESSAGES);
    // Alice's other conversations, each with one message, at spread-out times.
    await db.query(
      `WITH c AS (
         INSERT INTO conversations (title, is_direct, last_seq, last_event_seq, last_message_at, created_at)
         SELECT 'group ' || g, false, 1, 1, now() - make_interval(mins => g), now() - make_interval(days => 1)
           FROM generate_series(1, $3) g RETURNING id, last_message_at)
       , p AS (INSERT INTO participants (conversation_id, user_id) SELECT id, $1::uuid FROM c UNION ALL SELECT id, $2::uuid FROM c)
       INSERT INTO messages (conversation_id, seq, sender_id, text, created_at, event_seq)
       SELECT id, 1, $2::uuid, 'hello', last_message_at, 1 FROM c`,
      [alice.id, bob.id, CONVERSATIONS - 1],
    );
    await db.query('VACUUM ANALYZE');
    console.log(
      `filled ${MESSAGES.toLocaleString()} messages and ${CONVERSATIONS} conversations in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );

    const middleSeq = Math.floor(MESSAGES / 2) + 26;
    const middleCursor = cursorOf(big, middleSeq);
    const middleLabel = `middle page (last: 50, before: seq ${middleSeq.toLocaleString('en')})`;
    started = Date.now();
    const [{ server_version: pgVersion }] = await db.query('SHOW server_version');
    const results: Record<string, Summary> = {
      'newest page (last: 50)': await timeRuns(RUNS, () =>
        gqlOk(server.url, PAGE, { c: big, last: 50 }, alice.token),
      ),
      [middleLabel]: await timeRuns(RUNS, () =>
        gqlOk(server.url, PAGE, { c: big, last: 50, before: middleCursor }, alice.token),
      ),
      'oldest page (first: 50)': await timeRuns(RUNS, () =>
        gqlOk(server.url, PAGE, { c: big, first: 50 }, alice.token),
      ),
      [`conversations(first: 20) of ${CONVERSATIONS}`]: await timeRuns(RUNS, () =>
        gqlOk(server.url, LIST, {}, alice.token),
      ),
    };
    console.log(
      `\nhistory benchmark: ${RUNS} sequential requests each over HTTP, one server process, PostgreSQL ${pgVersion}`,
    );
    console.log('| query | p50 | p99 | max |\n| --- | --- | --- | --- |');
    for (const [name, s] of Object.entries(results))
      console.log(`| ${name} | ${ms(s.p50)} | ${ms(s.p99)} | ${ms(s.max)} |`);
    const newest = results['newest page (last: 50)'].p50;
    const oldest = results['oldest page (first: 50)'].p50;
    const middle = results[middleLabel].p50;
    console.log(
      `\ndeepest/newest (p50): oldest ${(oldest / newest).toFixed(2)}×, middle ${(middle / newest).toFixed(2)}× (goal ≤ 1.5×)`,
    );
    console.log(`measured in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await server.close();
    await db.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
