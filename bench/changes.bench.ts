/**
 * npm run bench:changes — the change stream's costs, each beside its baseline in the same run:
 *  - catch-up: a client 10,000 changes behind (edits and reactions over 2,000 messages, filled
 *    with generate_series) replays with conversationEvents(afterEventSeq), against replaying
 *    10,000 new messages with messageAdded(afterSeq). Goal ≤ 2×.
 *  - an edit or a reaction against a send, over HTTP, interleaved (p50/p99). Goal ≤ 1.2×.
 *  - a conversationChanges page of 100 at eventSeq depth 1,000,000 against depth 0. Goal ≤ 1.5×.
 */
import { MESSAGE_FIELDS } from '../test/support/factories.js';
import { createTestDatabase } from '../test/support/database.js';
import { gqlOk, registerUser } from '../test/support/gql.js';
import { connectWs, subscribe } from '../test/support/ws.js';
import { createDeepConversation } from './load/fixtures.load.js';
import { timeInterleaved } from './load/interleave.load.js';
import { median, ms } from './load/stats.load.js';
import { startSoloServer } from './load/targets.load.js';

const BEHIND = Number(process.env.BENCH_CHANGES_BEHIND ?? 10_000);
const MESSAGES = Number(process.env.BENCH_CHANGES_MESSAGES ?? 2_000);
const DEPTH = Number(process.env.BENCH_CHANGES_DEPTH ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 300);
const REPLAYS = Number(process.env.BENCH_REPLAYS ?? 5);

// Page size as a variable, as clients pass it (a literal counts in the query cost).
const CHANGES_PAGE = `query($c: ID!, $after: Int!, $first: Int = 100) { conversationChanges(conversationId: $c, afterEventSeq: $after, first: $first) {
  events { eventSeq change ... on MessageEvent { message { ${MESSAGE_FIELDS} } } } endEventSeq hasMore } }`;
const EVENTS = `subscription($c: ID!, $after: Int!) { conversationEvents(conversationId: $c, afterEventSeq: $after) {
  eventSeq ... on MessageEvent { message { ${MESSAGE_FIELDS} reactions { emoji count reactedByMe } } } } }`;
const RESUME = `subscription($c: ID!, $s: Int!) { messageAdded(conversationId: $c, afterSeq: $s) { ${MESSAGE_FIELDS} } }`;
const SEND = `mutation($c: ID!, $t: String!) { sendMessage(input: { conversationId: $c, text: $t }) { seq } }`;
const EDIT = `mutation($m: ID!, $t: String!) { editMessage(input: { messageId: $m, text: $t }) { eventSeq } }`;
const ADD = `mutation($m: ID!) { addReaction(messageId: $m, emoji: "👍") { eventSeq } }`;
const REMOVE = `mutation($m: ID!) { removeReaction(messageId: $m, emoji: "👍") { eventSeq } }`;

/** Median milliseconds until a subscription has delivered `count` events, over fresh sockets. */
async function timeReplay(
  wsUrl: string,
  token: string,
  query: string,
  variables: Record<string, unknown>,
  count: number,
): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < REPLAYS; i++) {
    const ws = await connectWs(wsUrl, token);
    const start = performance.now();
    await subscribe(ws, query, variables).waitFor(count, 120_000);
    samples.push(performance.now() - start);
    await ws.dispose();
  }
  return median(samples);
}

async function main(): Promise<void> {
  const db = await createTestDatabase({ prefix: 'chat_bench', poolSize: 4 });
  const server = await startSoloServer(db.url);
  try {
    const alice = await registerUser(server.url, 'alice');
    const bob = await registerUser(server.url, 'bob');
    let started = Date.now();
    // Behind by changes: MESSAGES messages, each then edited and reacted to BEHIND/MESSAGES times
    // (the rows as those changes leave them: each message's latest change, its reactions).
    const changed = await createDeepConversation(db, alice, bob, MESSAGES);
    const perMessage = BEHIND / MESSAGES;
    await db.query(
      `UPDATE messages SET event_seq = $2 + (seq * $3)::int, last_change = 'REACTIONS_CHANGED',
              text = 'edited ' || seq, edited_at = now()
        WHERE conversation_id = $1`,
      [changed, MESSAGES, perMessage],
    );
    await db.query(
      `INSERT INTO reactions (message_id, emoji, user_id)
       SELECT id, '👍', $2::uuid FROM messages WHERE conversation_id = $1`,
      [changed, bob.id],
    );
    await db.query('UPDATE conversations SET last_event_seq = $2 WHERE id = $1', [
      changed,
      MESSAGES + BEHIND,
    ]);
    // Behind by new messages: BEHIND of them.
    const fresh = await createDeepConversation(db, alice, bob, BEHIND);
    // Deep in eventSeq: DEPTH changes.
    const deep = await createDeepConversation(db, alice, bob, DEPTH);
    await db.query('VACUUM ANALYZE');
    console.log(`filled in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    started = Date.now();

    const replayChanges = await timeReplay(
      server.wsUrl,
      alice.token,
      EVENTS,
      { c: changed, after: MESSAGES },
      MESSAGES,
    );
    const replayMessages = await timeReplay(
      server.wsUrl,
      alice.token,
      RESUME,
      { c: fresh, s: 0 },
      BEHIND,
    );

    const target = (await gqlOk(server.url, SEND, { c: fresh, t: 'target' }, alice.token))
      .sendMessage.seq as number;
    const [{ id: targetId }] = await db.query(
      'SELECT id FROM messages WHERE conversation_id = $1 AND seq = $2',
      [fresh, target],
    );
    let n = 0;
    let reacted = false;
    // Interleaved (one of each per round), so the shared machine's bursts fall on all alike.
    const mutations = await timeInterleaved(RUNS, {
      'sendMessage (baseline)': () =>
        gqlOk(server.url, SEND, { c: fresh, t: `send ${n++}` }, alice.token),
      editMessage: () => gqlOk(server.url, EDIT, { m: targetId, t: `edit ${n++}` }, alice.token),
      'addReaction / removeReaction': () => {
        reacted = !reacted;
        return gqlOk(server.url, reacted ? ADD : REMOVE, { m: targetId }, alice.token);
      },
    });
    const pages = await timeInterleaved(RUNS, {
      'conversationChanges(first: 100) at depth 0': () =>
        gqlOk(server.url, CHANGES_PAGE, { c: deep, after: 0 }, alice.token),
      [`at depth ${DEPTH.toLocaleString('en')}`]: () =>
        gqlOk(server.url, CHANGES_PAGE, { c: deep, after: DEPTH - 100 }, alice.token),
    });

    const [{ server_version: pgVersion }] = await db.query('SHOW server_version');
    console.log(`\nchanges benchmark: one server process, PostgreSQL ${pgVersion}`);
    console.log(
      `\ncatch-up (median of ${REPLAYS}, fresh socket each): ${BEHIND.toLocaleString('en')} changes over ${MESSAGES.toLocaleString('en')} messages ${ms(replayChanges)}; ${BEHIND.toLocaleString('en')} new messages with messageAdded(afterSeq) ${ms(replayMessages)} → ${(replayChanges / replayMessages).toFixed(2)}× (goal ≤ 2×)`,
    );
    console.log(`\n${RUNS} rounds of sequential mutations over HTTP, one of each per round`);
    console.log('| mutation | p50 | p99 | max |\n| --- | --- | --- | --- |');
    for (const [name, s] of Object.entries(mutations))
      console.log(`| ${name} | ${ms(s.p50)} | ${ms(s.p99)} | ${ms(s.max)} |`);
    const send = mutations['sendMessage (baseline)'];
    for (const name of ['editMessage', 'addReaction / removeReaction']) {
      const s = mutations[name];
      console.log(
        `${name}/send: p50 ${(s.p50 / send.p50).toFixed(2)}×, p99 ${(s.p99 / send.p99).toFixed(2)}× (goal ≤ 1.2×)`,
      );
    }
    console.log('\n| page | p50 | p99 | max |\n| --- | --- | --- | --- |');
    for (const [name, s] of Object.entries(pages))
      console.log(`| ${name} | ${ms(s.p50)} | ${ms(s.p99)} | ${ms(s.max)} |`);
    const [shallow, deepest] = Object.values(pages);
    console.log(`deep/shallow (p50): ${(deepest.p50 / shallow.p50).toFixed(2)}× (goal ≤ 1.5×)`);
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
