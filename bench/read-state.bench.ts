/**
 * npm run bench:read-state — issue 14's read-state costs, each beside its baseline in the same run:
 *  - the conversations(first: 50) page with unreadCount, unreadMentionCount, lastReadSeq and muted,
 *    for a user in 1,000 conversations with 100 unread each (every tenth mentioning them), against
 *    the same page without those fields. Goal ≤ 1.3×.
 *  - markConversationRead against sendMessage, over HTTP, interleaved (p50/p99). Goal p99 ≤ 1×.
 * Filled straight with generate_series (seq, last_seq and last_event_seq consistent); scale with
 * BENCH_READ_CONVERSATIONS and BENCH_READ_UNREAD.
 */
import { createTestDatabase } from '../test/support/database.js';
import { gqlOk } from '../test/support/gql.js';
import { createGroups, createUsers } from './load/fixtures.load.js';
import { timeInterleaved } from './load/interleave.load.js';
import { ms } from './load/stats.load.js';
import { startSoloServer } from './load/targets.load.js';

const CONVERSATIONS = Number(process.env.BENCH_READ_CONVERSATIONS ?? 1_000);
const UNREAD = Number(process.env.BENCH_READ_UNREAD ?? 100);
const RUNS = Number(process.env.BENCH_RUNS ?? 300);

const NODE = `id title isDirect lastMessageAt lastEventSeq participantCount
  lastMessage { id seq text createdAt sender { id username } }`;
const page = (extra: string) =>
  `query($first: Int = 50) { conversations(first: $first) {
    edges { cursor node { ${NODE} ${extra} } } pageInfo { hasNextPage endCursor } } }`;
const WITH_READ_STATE = page('unreadCount unreadMentionCount lastReadSeq muted');
const WITHOUT_READ_STATE = page('');
const SEND = `mutation($c: ID!, $t: String!) { sendMessage(input: { conversationId: $c, text: $t }) { seq } }`;
const MARK = `mutation($c: ID!, $s: Int!) { markConversationRead(conversationId: $c, upToSeq: $s) { lastReadSeq } }`;

const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

async function main(): Promise<void> {
  const db = await createTestDatabase({ prefix: 'chat_bench', poolSize: 4 });
  const server = await startSoloServer(db.url);
  try {
    let started = Date.now();
    const [reader, other] = await createUsers(db, 'reader', 2);
    const ids = await createGroups(
      db,
      'unread',
      Array.from({ length: CONVERSATIONS }, () => [reader, other]),
    );
    // UNREAD messages from the other member in each; every tenth mentions the reader. The
    // reader's last_read_seq stays 0, so all of them are unread.
    await db.query(
      `INSERT INTO messages (conversation_id, seq, sender_id, text, created_at, event_seq, mentioned_user_ids)
       SELECT c, g, $2::uuid, 'unread ' || g, now() - make_interval(secs => $4 - g + i), g,
              CASE WHEN g % 10 = 0 THEN ARRAY[$3::uuid] ELSE '{}'::uuid[] END
         FROM unnest($1::uuid[]) WITH ORDINALITY AS t(c, i), generate_series(1, $4) g`,
      [ids, other.id, reader.id, UNREAD],
    );
    await db.query(
      `UPDATE conversations c SET last_seq = $2, last_event_seq = $2,
              last_message_at = now() - make_interval(secs => t.i)
         FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, i) WHERE c.id = t.id`,
      [ids, UNREAD],
    );
    // The other member sent them all: a send marks its sender read up to it.
    await db.query('UPDATE participants SET last_read_seq = $2 WHERE user_id = $1', [
      other.id,
      UNREAD,
    ]);
    await db.query('VACUUM ANALYZE');
    console.log(`filled in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    started = Date.now();

    // Pages before any mark, so every conversation on them has UNREAD unread.
    // Interleaved (one of each per round), so the shared machine's bursts fall on both alike.
    const pages = await timeInterleaved(RUNS, {
      'without read state (baseline)': () =>
        gqlOk(server.url, WITHOUT_READ_STATE, {}, reader.token),
      'with unreadCount unreadMentionCount lastReadSeq muted': () =>
        gqlOk(server.url, WITH_READ_STATE, {}, reader.token),
    });
    const first = (await gqlOk(server.url, WITH_READ_STATE, {}, reader.token)).conversations
      .edges[0].node as { unreadCount: number; unreadMentionCount: number };

    // Each mark moves one conversation's lastReadSeq one further, so every one is a real write;
    // round-robin over all conversations, so no row is marked twice in a row.
    let marks = 0;
    let sends = 0;
    const mark = () => {
      const n = marks++;
      const upTo = Math.floor(n / CONVERSATIONS) + 1;
      return gqlOk(server.url, MARK, { c: ids[n % CONVERSATIONS], s: upTo }, reader.token);
    };
    const mutations = await timeInterleaved(RUNS, {
      'sendMessage (baseline)': () =>
        gqlOk(
          server.url,
          SEND,
          { c: ids[sends % CONVERSATIONS], t: `send ${sends++}` },
          other.token,
        ),
      markConversationRead: mark,
    });
    if (marks > CONVERSATIONS * UNREAD) console.log('note: marks ran past the last seq (no-ops)');

    const [{ server_version: pgVersion }] = await db.query('SHOW server_version');
    console.log(`\nread-state benchmark: one server process, PostgreSQL ${pgVersion}`);
    console.log(
      `${CONVERSATIONS.toLocaleString('en')} conversations × ${UNREAD.toLocaleString('en')} unread (first on the page: unreadCount ${first.unreadCount}, unreadMentionCount ${first.unreadMentionCount})`,
    );
    console.log(
      `\n${RUNS} rounds of conversations(first: 50) pages over HTTP, one of each per round`,
    );
    console.log('| page | p50 | p99 | max |\n| --- | --- | --- | --- |');
    for (const [name, s] of Object.entries(pages))
      console.log(`| ${name} | ${ms(s.p50)} | ${ms(s.p99)} | ${ms(s.max)} |`);
    const [without, withCounts] = Object.values(pages);
    console.log(
      `with/without: p50 ${ratio(withCounts.p50, without.p50)}, p99 ${ratio(withCounts.p99, without.p99)} (goal ≤ 1.3×)`,
    );
    console.log(`\n${RUNS} rounds of sequential mutations over HTTP, one of each per round`);
    console.log('| mutation | p50 | p99 | max |\n| --- | --- | --- | --- |');
    for (const [name, s] of Object.entries(mutations))
      console.log(`| ${name} | ${ms(s.p50)} | ${ms(s.p99)} | ${ms(s.max)} |`);
    const send = mutations['sendMessage (baseline)'];
    const read = mutations.markConversationRead;
    console.log(
      `markConversationRead/send: p50 ${ratio(read.p50, send.p50)}, p99 ${ratio(read.p99, send.p99)} (goal p99 ≤ 1×)`,
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
