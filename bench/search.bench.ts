/**
 * npm run bench:search — searchMessages on 1,000,000 messages over 10,000 conversations
 * (sentences in English, French, German, Spanish, Russian, Chinese and Japanese, filled with one
 * INSERT … SELECT generate_series), for a user in 200 of them: p50/p99 of the first page
 * (first: 20) for a common word, a rare word, a phrase and a CJK substring, beside the same
 * user's newest history page as the baseline, round-robin. Goal: p99 ≤ 50 ms. Prints which
 * indexes each query's plan used. BENCH_SEARCH_KEEP=1 keeps the seeded database,
 * BENCH_SEARCH_DB=<name> reuses it. `npm run bench:search -- send` measures the send cost of the index instead.
 */
import { loadavg } from 'node:os';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../test/support/database.js';
import { DATABASE_ADMIN_URL } from '../test/support/env.js';
import { gqlOk, registerUser } from '../test/support/gql.js';
import { searchStatement } from '../src/search/search.repository.js';
import { parseSearch } from '../src/search/search-query.js';
import { createGroups, createUsers } from './load/fixtures.load.js';
import { ms, summarize, type Summary } from './load/stats.load.js';
import { startInstance, startSoloServer } from './load/targets.load.js';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1_000_000);
const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 10_000);
const MEMBER_OF = Number(process.env.BENCH_MEMBER_OF ?? 200);
const RUNS = Number(process.env.BENCH_RUNS ?? 300);
/** Keep the seeded database (its name is printed) so a later run can reuse it: seeding is slow. */
const KEEP = process.env.BENCH_SEARCH_KEEP === '1';
/** The name of a database an earlier run kept: no seeding, a new alice joins the same 200. */
const REUSE = process.env.BENCH_SEARCH_DB ?? '';

/** A database an earlier run kept (the server's migrations still run on it at start). */
function existingDatabase(name: string): TestDatabase {
  const url = new URL(DATABASE_ADMIN_URL);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 4 });
  return {
    url: url.toString(),
    name,
    async query(sql, params) {
      return (await pool.query(sql, params)).rows;
    },
    drop: () => pool.end(),
  };
}

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
  const db = REUSE
    ? existingDatabase(REUSE)
    : await createTestDatabase({ prefix: 'chat_bench', poolSize: 4 });
  const keep = KEEP || REUSE !== '';
  const server = await startInstance('server', {
    databaseUrl: db.url,
    redisUrl: '',
    redisPrefix: '',
  });
  try {
    const alice = await registerUser(server.url, 'alice');
    const bob = await registerUser(server.url, 'bob');
    let started = Date.now();
    if (REUSE) {
      // Conversations 'group 1'…'group N' are the ones the first alice joined.
      await db.query(
        `INSERT INTO participants (conversation_id, user_id)
         SELECT id, $1::uuid FROM conversations WHERE substring(title FROM 7)::int <= $2`,
        [alice.id, MEMBER_OF],
      );
      await db.query('ANALYZE participants');
      console.log(`reusing ${REUSE}`);
    } else {
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
    }
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
    // Round-robin, one request of each per round: on a shared machine a burst of someone else's
    // load then lands on every class alike instead of on whichever ran at the time.
    const calls: Record<string, () => Promise<unknown>> = {
      'baseline: history page (last: 20)': () =>
        gqlOk(server.url, PAGE, { c: oneOfHers }, alice.token),
    };
    for (const [name, q] of Object.entries(queries)) {
      calls[name] = () => gqlOk(server.url, SEARCH, { q, first: 20 }, alice.token);
    }
    for (const call of Object.values(calls)) for (let i = 0; i < 20; i++) await call();
    const samples: Record<string, number[]> = {};
    for (let round = 0; round < RUNS; round++) {
      for (const [name, call] of Object.entries(calls)) {
        const start = performance.now();
        await call();
        (samples[name] ??= []).push(performance.now() - start);
      }
    }
    const results: Record<string, Summary> = {};
    for (const [name, values] of Object.entries(samples)) results[name] = summarize(values);
    const [{ server_version: pgVersion }] = await db.query('SHOW server_version');
    console.log(
      `\nsearch benchmark: ${RUNS} rounds of sequential searchMessages(first: 20), one of each class per round, over HTTP, one server process, PostgreSQL ${pgVersion}`,
    );
    console.log('| query | p50 | p99 | max |\n| --- | --- | --- | --- |');
    for (const [name, s] of Object.entries(results))
      console.log(`| ${name} | ${ms(s.p50)} | ${ms(s.p99)} | ${ms(s.max)} |`);
    console.log(
      `measured in ${((Date.now() - started) / 1000).toFixed(1)} s (goal: p99 ≤ 50 ms); load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    // Which path each query took (see searchStatement): the indexes its executed nodes used.
    console.log('\n| query | indexes used (rows) | SQL time |\n| --- | --- | --- |');
    for (const [name, q] of Object.entries(queries)) {
      const page = { userId: alice.id, conversationId: null, after: null, limit: 20 };
      const { sql, params } = searchStatement(parseSearch(q), page);
      const plan = (await db.query(`EXPLAIN (ANALYZE, COSTS OFF) ${sql}`, params)).map(
        (r: Record<string, string>) => r['QUERY PLAN'],
      );
      const used = plan
        .filter((line) => !line.includes('never executed'))
        .map((line) =>
          /(Index Scan(?: Backward)? using|Bitmap Index Scan on) (\w+).*rows=(\d+) loops=(\d+)/.exec(
            line,
          ),
        )
        .filter((m) => m !== null && m[2].startsWith('messages'))
        .map((m) => `${m![2]} (${m![3]}×${m![4]})`);
      const time = plan.find((line) => line.startsWith('Execution Time'))?.split(': ')[1];
      console.log(`| ${name} | ${used.join(', ')} | ${time} |`);
    }
  } finally {
    await server.close();
    if (keep) {
      console.log(`kept database ${db.name} (BENCH_SEARCH_DB=${db.name} reuses it)`);
      // The kept database's pool stays open: nothing else is left to wait for.
      if (!REUSE) process.exit(0);
    }
    await db.drop();
  }
}

/**
 * `npm run bench:search -- send`: what the search index costs a send. Two scratch databases from
 * the same migrations, one then stripped of everything search adds to messages (the generated
 * search_vector column with its GIN index, the trigram index, the newest-first index), each filled with the same
 * BENCH_SEND_SEED messages and served by its own server; BENCH_SEND_RUNS sequential sendMessage
 * per round, the two alternating over BENCH_SEND_ROUNDS rounds so both see the same load.
 */
const SEND_SEED = Number(process.env.BENCH_SEND_SEED ?? 200_000);
const SEND_RUNS = Number(process.env.BENCH_SEND_RUNS ?? 500);
const SEND_ROUNDS = Number(process.env.BENCH_SEND_ROUNDS ?? 4);
const SEND = `mutation($c: ID!, $t: String!) { sendMessage(input: { conversationId: $c, text: $t }) { seq } }`;
/** Everything the search migrations add to messages; the entity never selects the column. */
const STRIP_SEARCH = [
  'DROP INDEX IF EXISTS messages_search_newest',
  'DROP INDEX IF EXISTS messages_search_substrings',
  'ALTER TABLE messages DROP COLUMN search_vector',
];

async function sendCost(): Promise<void> {
  const setups = [
    { name: 'without the search index (baseline)', strip: true },
    { name: 'with the search index', strip: false },
  ];
  const targets = [];
  try {
    for (const setup of setups) {
      const db = await createTestDatabase({ prefix: 'chat_bench', poolSize: 2 });
      const server = await startSoloServer(db.url);
      targets.push({ ...setup, db, server });
      if (setup.strip) for (const sql of STRIP_SEARCH) await db.query(sql);
      const [sender, other] = await createUsers(db, 'sender', 2);
      // 100 conversations of SEND_SEED / 100 messages each, the texts of the search bench.
      const ids = await createGroups(
        db,
        'sends',
        Array.from({ length: 100 }, () => [sender, other]),
      );
      const per = Math.ceil(SEND_SEED / ids.length);
      await db.query(
        `INSERT INTO messages (conversation_id, seq, sender_id, text, created_at, event_seq)
         SELECT c, s, $2::uuid,
                ($4::text[])[1 + (s * 7 + i) % cardinality($4::text[])] || ' ' ||
                ($4::text[])[1 + (s * 13 + i) % cardinality($4::text[])],
                now() - interval '30 days' + make_interval(secs => s), s
           FROM unnest($1::uuid[]) WITH ORDINALITY AS t(c, i), generate_series(1, $3) s`,
        [ids, other.id, per, SENTENCES],
      );
      await db.query(
        `UPDATE conversations SET last_seq = $2, last_event_seq = $2,
                last_message_at = now() - interval '29 days' WHERE id = ANY($1::uuid[])`,
        [ids, per],
      );
      await db.query('VACUUM ANALYZE');
      Object.assign(targets.at(-1)!, { sender, ids });
    }
    const samples = new Map<string, number[]>(setups.map((s) => [s.name, []]));
    let n = 0;
    for (let round = 0; round < SEND_ROUNDS; round++) {
      // Alternate which goes first, so neither always follows the other's writes.
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      for (const t of order) {
        const { sender, ids } = t as unknown as { sender: { token: string }; ids: string[] };
        const send = () =>
          gqlOk(
            t.server.url,
            SEND,
            { c: ids[n % ids.length], t: `${SENTENCES[n++ % SENTENCES.length]} ${n}` },
            sender.token,
          );
        for (let i = 0; i < (round === 0 ? 50 : 10); i++) await send();
        const into = samples.get(t.name)!;
        for (let i = 0; i < SEND_RUNS; i++) {
          const start = performance.now();
          await send();
          into.push(performance.now() - start);
        }
      }
    }
    const [{ server_version: pgVersion }] = await targets[0].db.query('SHOW server_version');
    console.log(
      `\nsend cost of search: ${SEND_ROUNDS} × ${SEND_RUNS} sequential sendMessage over HTTP per setup, alternating, on ${SEND_SEED.toLocaleString('en')} messages each, PostgreSQL ${pgVersion}`,
    );
    console.log('| setup | p50 | p99 | max |\n| --- | --- | --- | --- |');
    const summaries = new Map<string, Summary>();
    for (const [name, values] of samples) {
      const s = summarize(values);
      summaries.set(name, s);
      console.log(`| ${name} | ${ms(s.p50)} | ${ms(s.p99)} | ${ms(s.max)} |`);
    }
    const [base, withIndex] = [...summaries.values()];
    console.log(
      `with/without: p50 ${(withIndex.p50 / base.p50).toFixed(2)}×, p99 ${(withIndex.p99 / base.p99).toFixed(2)}× (goal p99 ≤ 1.1×); load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    for (const t of targets) {
      await t.server.close();
      await t.db.drop();
    }
  }
}

(process.argv[2] === 'send' ? sendCost() : main()).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
