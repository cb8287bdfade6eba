/**
 * npm run bench:receipts — read-receipt fan-out in one group of BENCH_RECEIPT_MEMBERS (1,000),
 * beside the same number of sends in the same run, through Redis as deployed:
 *  - every member sends one message (the baseline), then every member marks the conversation
 *    read: time for all of them (BENCH_RECEIPT_CONCURRENCY at once over HTTP), until
 *    BENCH_RECEIPT_WATCHERS members' readReceipts (or messageAdded) subscriptions have every one;
 *  - rows written per read and write transactions per read (goal: 1), from the xmin of the rows
 *    they left (immediate, unlike pg_stat counters, and only this database's rows);
 *  - coalescing: BENCH_RECEIPT_RAPID readers each send a burst of 3 marks; a watcher gets at most
 *    2 receipts of each (the first at once, the newest when its window ends).
 */
import { REDIS_URL } from '../test/support/env.js';
import { createTestDatabase, type TestDatabase } from '../test/support/database.js';
import { gqlOk } from '../test/support/gql.js';
import { removeRedisPrefix } from '../test/support/redis.js';
import { connectWs, subscribe, type Subscription, type WsClient } from '../test/support/ws.js';
import { createGroups, createUsers, type BenchUser } from './load/fixtures.load.js';
import { ms } from './load/stats.load.js';
import { startSoloServer } from './load/targets.load.js';

const MEMBERS = Number(process.env.BENCH_RECEIPT_MEMBERS ?? 1_000);
const WATCHERS = Number(process.env.BENCH_RECEIPT_WATCHERS ?? 20);
const CONCURRENCY = Number(process.env.BENCH_RECEIPT_CONCURRENCY ?? 8);
const RAPID = Number(process.env.BENCH_RECEIPT_RAPID ?? 100);
const HISTORY = 100;

const SEND = `mutation($c: ID!, $t: String!) { sendMessage(input: { conversationId: $c, text: $t }) { seq } }`;
const MARK = `mutation($c: ID!, $s: Int!) { markConversationRead(conversationId: $c, upToSeq: $s) { lastReadSeq } }`;
const RECEIPTS = `subscription($c: ID) { readReceipts(conversationId: $c) { userId lastReadSeq } }`;
const ADDED = `subscription($c: ID!) { messageAdded(conversationId: $c) { seq } }`;

interface Receipt {
  readReceipts: { userId: string; lastReadSeq: number };
}

/** Runs `task(i)` for i in [0, count), `concurrency` at a time; milliseconds for all. */
async function inParallel(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<unknown>,
): Promise<number> {
  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await task(next++);
    }),
  );
  return performance.now() - start;
}

/** The current transaction id as the 32-bit xid a row's xmin holds. */
async function xid(db: TestDatabase): Promise<number> {
  const [{ x }] = await db.query<{ x: string }>('SELECT txid_current() % 4294967296 AS x');
  return Number(x);
}

/** Row versions left by transactions after `since`, and how many transactions those were. */
async function writesSince(
  db: TestDatabase,
  since: number,
): Promise<{ rows: number; xacts: number }> {
  const tables = await db.query<{ relname: string }>('SELECT relname FROM pg_stat_user_tables');
  const xacts = new Set<string>();
  let rows = 0;
  for (const { relname } of tables) {
    const found = await db.query<{ x: string; n: number }>(
      `SELECT xmin::text AS x, count(*)::int AS n FROM "${relname}"
        WHERE xmin::text::bigint > $1 GROUP BY 1`,
      [since],
    );
    for (const { x, n } of found) {
      xacts.add(x);
      rows += n;
    }
  }
  return { rows, xacts: xacts.size };
}

/** Each subscription's count of events now, and later how long until each has `count` more. */
function delivery<T>(subs: Subscription<T>[]) {
  const start = performance.now();
  const base = subs.map((s) => s.events.length);
  return async (count: number) => {
    await Promise.all(subs.map((s, i) => s.waitFor(base[i] + count, 300_000)));
    return performance.now() - start;
  };
}

async function main(): Promise<void> {
  const redisPrefix = `benchr${process.pid}:`;
  const db = await createTestDatabase({ prefix: 'chat_bench', poolSize: 4 });
  const server = await startSoloServer(db.url, { REDIS_URL, REDIS_PREFIX: redisPrefix });
  const sockets: WsClient[] = [];
  try {
    let started = Date.now();
    const members = await createUsers(db, 'member', MEMBERS);
    const [group] = await createGroups(db, 'receipts', [members]);
    // HISTORY messages, all of them read by their sender (as a send leaves it), none by others.
    await db.query(
      `INSERT INTO messages (conversation_id, seq, sender_id, text, created_at, event_seq)
       SELECT $1, g, $2, 'history ' || g, now() - make_interval(secs => $3 - g), g
         FROM generate_series(1, $3) g`,
      [group, members[0].id, HISTORY],
    );
    await db.query(
      'UPDATE conversations SET last_seq = $2, last_event_seq = $2, last_message_at = now() WHERE id = $1',
      [group, HISTORY],
    );
    await db.query(
      'UPDATE participants SET last_read_seq = $3 WHERE conversation_id = $1 AND user_id = $2',
      [group, members[0].id, HISTORY],
    );
    await db.query('VACUUM ANALYZE');

    const watchers = members.slice(-WATCHERS);
    const receipts: Subscription<Receipt>[] = [];
    const added: Subscription<unknown>[] = [];
    for (const w of watchers) {
      const ws = await connectWs(server.wsUrl, w.token);
      sockets.push(ws);
      receipts.push(subscribe<Receipt>(ws, RECEIPTS, { c: group }));
      added.push(subscribe(ws, ADDED, { c: group }));
    }
    // A sentinel send on the same path: once every watcher has it, every subscription is live.
    await gqlOk(server.url, SEND, { c: group, t: 'sentinel' }, members[0].token);
    await delivery(added)(1);
    // Its receipt (members[0]'s, derived from the message) opened no coalescing window.
    console.log(`filled in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    started = Date.now();

    const send = (m: BenchUser, i: number) =>
      gqlOk(server.url, SEND, { c: group, t: `hello ${i}` }, m.token);
    const mark = (m: BenchUser, upTo: number) =>
      gqlOk(server.url, MARK, { c: group, s: upTo }, m.token);

    // Baseline: every member sends once.
    let since = await xid(db);
    const sendsDelivery = delivery(added);
    const sendsDone = await inParallel(MEMBERS, CONCURRENCY, (i) => send(members[i], i));
    const sendsDelivered = await sendsDelivery(MEMBERS);
    const sendWrites = await writesSince(db, since);
    const lastSeq = HISTORY + 1 + MEMBERS;

    // Every member marks everything read, minus the last 3 for the RAPID readers' round below.
    // Their sends marked each read up to their own message: a mark moves unless that was last.
    await Promise.all(receipts.map((r) => r.waitFor(MEMBERS + 1, 60_000)));
    for (const r of receipts) r.events.length = 0;
    const target = (i: number) => (i < RAPID ? lastSeq - 3 : lastSeq);
    const readBefore = new Map(
      (
        await db.query<{ user_id: string; last_read_seq: number }>(
          'SELECT user_id, last_read_seq FROM participants WHERE conversation_id = $1',
          [group],
        )
      ).map((r) => [r.user_id, r.last_read_seq]),
    );
    const moving = members.filter((m, i) => readBefore.get(m.id)! < target(i)).length;
    since = await xid(db);
    const readsDelivery = delivery(receipts);
    const readsDone = await inParallel(MEMBERS, CONCURRENCY, (i) => mark(members[i], target(i)));
    const readsDelivered = await readsDelivery(moving);
    const readWrites = await writesSince(db, since);
    const marksMoved = receipts[0].events.length;

    // Coalescing: RAPID readers each send a burst of 3 marks at once (up to lastSeq − 2, − 1,
    // lastSeq), after their last window closed; a watcher should get each reader's first at once
    // and at most the newest (lastSeq) when the window ends: ≤ 2 receipts per reader, not 3.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    for (const r of receipts) r.events.length = 0;
    const start = performance.now();
    await inParallel(RAPID, Math.min(CONCURRENCY, RAPID), (i) =>
      Promise.all([2, 1, 0].map((k) => mark(members[i], lastSeq - k))),
    );
    await Promise.all(
      receipts.map((r) =>
        r.waitFor(1, 10_000).then(async () => {
          // Until each rapid reader's newest (lastSeq) has arrived.
          while (
            new Set(
              r.events
                .filter((e) => e.readReceipts.lastReadSeq === lastSeq)
                .map((e) => e.readReceipts.userId),
            ).size < RAPID
          )
            await r.waitFor(r.events.length + 1, 10_000);
        }),
      ),
    );
    const rapidDelivered = performance.now() - start;
    const perReader = Math.max(...receipts.map((r) => r.events.length)) / RAPID;

    const [{ server_version: pgVersion }] = await db.query('SHOW server_version');
    console.log(`\nreceipts benchmark: one server process with Redis, PostgreSQL ${pgVersion}`);
    console.log(
      `one group of ${MEMBERS.toLocaleString('en')} members, ${WATCHERS} of them watching, ${CONCURRENCY} requests at a time`,
    );
    console.log(
      '\n| operation, once per member | all done | all delivered to every watcher | rows written per op | write transactions per op |',
    );
    console.log('| --- | --- | --- | --- | --- |');
    console.log(
      `| sendMessage (baseline) | ${ms(sendsDone)} | ${ms(sendsDelivered)} | ${(sendWrites.rows / MEMBERS).toFixed(2)} | ${(sendWrites.xacts / MEMBERS).toFixed(2)} |`,
    );
    console.log(
      `| markConversationRead | ${ms(readsDone)} | ${ms(readsDelivered)} | ${(readWrites.rows / MEMBERS).toFixed(2)} | ${(readWrites.xacts / MEMBERS).toFixed(2)} |`,
    );
    console.log(
      `reads/sends: done ${(readsDone / sendsDone).toFixed(2)}×, delivered ${(readsDelivered / sendsDelivered).toFixed(2)}×; write transactions per read ${(readWrites.xacts / MEMBERS).toFixed(2)} (goal 1); receipts per watcher ${marksMoved} of ${moving} marks that moved`,
    );
    console.log(
      `coalescing: ${RAPID} readers × a burst of 3 marks → at most ${perReader.toFixed(2)} receipts per reader at a watcher (goal ≤ 2), all in ${ms(rapidDelivered)} (one window is ${ms(1000)})`,
    );
    console.log(`measured in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await Promise.all(sockets.map((s) => s.dispose()));
    await server.close();
    await db.drop();
    await removeRedisPrefix(redisPrefix, REDIS_URL);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
