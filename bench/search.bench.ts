/**
 * npm run bench:search — searchMessages on 1,000,000 messages over 10,000 conversations
 * (sentences in English, French, German, Spanish, Russian, Chinese and Japanese, filled with one
 * INSERT … SELECT generate_series), for a user in 200 of them: p50/p99 of the first page
 * (first: 20) for a common word, a rare word, a phrase and a CJK substring, beside the same
 * user's newest history page as the baseline. Goal: p99 ≤ 50 ms. Prints the plans too.
 */
import { createTestDatabase } from '../test/support/database.js';
import { gqlOk, registerUser } from '../test/support/gql.js';
import { startInstance } from './load/targets.load.js';
import { ms, timeRuns, type Summary } from './load/stats.load.js';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1_000_000);
const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 10_000);
const MEMBER_OF = Number(process.env.BENCH_MEMBER_OF ?? 200);
const RUNS = Number(process.env.BENCH_RUNS ?? 300);

const SENTENCES = [
  'the meeting is moved to tomorrow morning',
  'can you send me the report before lunch',
  'good morning everyone, coffee is ready',
  'I think the build is broken again',
  'le café est fermé aujourd’hui à cause de la grève',
  'nous partons en vacances à Montréal la semaine prochaine',
  'die Besprechung findet morgen früh in München statt',
  'ich schicke dir die Unterlagen später',
  'mañana vamos a la playa con los niños',
  '¿puedes revisar la presentación, por favor?',
  'встреча перенесена на завтра',
  '我们明天去北京烤鸭店吃饭',
  '今天的会议推迟到下午三点',
  '東京タワーに行きました',
  '明日の打ち合わせは十時からです',
  'see you at the station at six',
];

const SEARCH = `query($q: String!, $first: Int) { searchMessages(query: $q, first: $first) {
  edges { cursor node { id seq text createdAt sender { id } } highlights { start length } }
  pageInfo { hasNextPage endCursor } } }`;
const PAGE = `query($c: ID!) { messages(conversationId: $c, last: 20) { edges { node { id seq text } } } }`;

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
    const perConversation = Math.ceil(MESSAGES / CONVERSATIONS);
    await db.query(
      `WITH c AS (
         INSERT INTO conversations (title, is_direct, last_seq, last_event_seq, last_message_at, created_at)
         SELECT 'group ' || g, false, $4, $4, now(), now() - interval '30 days'
           FROM generate_series(1, $3) g RETURNING id, title)
       , p AS (INSERT INTO participants (conversation_id, user_id)
               SELECT id, $2::uuid FROM c
               UNION ALL
               SELECT id, $1::uuid FROM c WHERE substring(title FROM 7)::int <= $5)
       INSERT INTO messages (conversation_id, seq, sender_id, text, created_at, event_seq)
       SELECT c.id, s, $2::uuid,
              ($6::text[])[1 + floor(random() * cardinality($6::text[]))::int] || ' ' ||
              ($6::text[])[1 + floor(random() * cardinality($6::text[]))::int] ||
              CASE WHEN random() < 0.00002 THEN ' zanzibar' ELSE '' END,
              now() - interval '30 days' + make_interval(secs => s * 60 + random()), s
         FROM c CROSS JOIN generate_series(1, $4) s`,
      [alice.id, bob.id, CONVERSATIONS, perConversation, MEMBER_OF, SENTENCES],
    );
    await db.query('VACUUM ANALYZE');
    console.log(
      `filled ${(perConversation * CONVERSATIONS).toLocaleString('en')} messages in ${CONVERSATIONS.toLocaleString('en')} conversations (alice in ${MEMBER_OF}) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    const [{ id: oneOfHers }] = await db.query(
      `SELECT conversation_id AS id FROM participants WHERE user_id = $1 LIMIT 1`,
      [alice.id],
    );

    const queries: Record<string, string> = {
      'common word ("the")': 'the',
      'rare word ("zanzibar")': 'zanzibar',
      'phrase ("good morning")': '"good morning"',
      'accent-insensitive words (cafe ferme)': 'cafe ferme',
      'CJK substring (北京烤鸭)': '北京烤鸭',
      'CJK, 2 characters (東京)': '東京',
    };
    started = Date.now();
    const results: Record<string, Summary> = {
      'baseline: history page (last: 20)': await timeRuns(RUNS, () =>
        gqlOk(server.url, PAGE, { c: oneOfHers }, alice.token),
      ),
    };
    for (const [name, q] of Object.entries(queries)) {
      results[name] = await timeRuns(RUNS, () =>
        gqlOk(server.url, SEARCH, { q, first: 20 }, alice.token),
      );
    }
    const [{ server_version: pgVersion }] = await db.query('SHOW server_version');
    console.log(
      `\nsearch benchmark: ${RUNS} sequential searchMessages(first: 20) each over HTTP, one server process, PostgreSQL ${pgVersion}`,
    );
    console.log('| query | p50 | p99 | max |\n| --- | --- | --- | --- |');
    for (const [name, s] of Object.entries(results))
      console.log(`| ${name} | ${ms(s.p50)} | ${ms(s.p99)} | ${ms(s.max)} |`);
    console.log(`measured in ${((Date.now() - started) / 1000).toFixed(1)} s (goal: p99 ≤ 50 ms)`);
  } finally {
    await server.close();
    await db.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
