/**
 * Scenario 4, history: one conversation of BENCH_HISTORY_MESSAGES (1,000,000) messages; a
 * 50-message page at depth 0 (the newest) and at depth ~1,000,000 (`before` the cursor of seq 51,
 * so the same backward query as depth 0), BENCH_HISTORY_RUNS sequential HTTP requests each.
 * The server answers GraphQL `messages(last: 50, before:)`; the floor runs the same SELECT (seq
 * range on the (conversation_id, seq) index, sender joined) straight through `pg` behind a bare
 * HTTP endpoint. (bench:history covers more pages and the conversation list.)
 */
import { MESSAGE_FIELDS } from '../load/clients.load.js';
import {
  config,
  forBoth,
  rowFrom,
  type BenchContext,
  type ScenarioResult,
} from '../load/context.load.js';
import type { Kind } from '../load/targets.load.js';
import { gqlOk } from '../../test/support/gql.js';
import { timeRuns, type Summary } from '../load/stats.load.js';

/** A page of messages as a client asks for one (history.bench.ts also pages with `first`). */
export const PAGE = `query($c: ID!, $first: Int, $last: Int, $before: String) {
  messages(conversationId: $c, first: $first, last: $last, before: $before) {
    edges { cursor node { ${MESSAGE_FIELDS} } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

/** The server's cursor of a message (the `before`/`after` a client would send). */
export const cursorOf = (conversationId: string, seq: number) =>
  Buffer.from(JSON.stringify(['message', conversationId, seq])).toString('base64url');

async function page(kind: Kind, url: string, token: string, c: string, beforeSeq?: number) {
  if (kind === 'server') {
    const data = await gqlOk(
      url,
      PAGE,
      { c, last: 50, before: beforeSeq ? cursorOf(c, beforeSeq) : null },
      token,
    );
    if (data.messages.edges.length !== 50) throw new Error('short page');
    return;
  }
  const res = await fetch(
    `${url}/history?c=${c}&limit=50${beforeSeq ? `&before=${beforeSeq}` : ''}`,
    {
      headers: { authorization: `Bearer ${token}` },
    },
  );
  const body = (await res.json()) as { items: unknown[] };
  if (body.items.length !== 50) throw new Error('short page');
}

export async function historyScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const { users, conversation } = ctx.fixtures.history;
  const results = await forBoth(async (kind) => {
    const url = ctx.instances[kind][0].url;
    const run = (before?: number) =>
      timeRuns(config.historyRuns, () => page(kind, url, users[0].token, conversation, before));
    return { depth0: await run(), deep: await run(51) };
  });
  const depth = (config.historyMessages - 50).toLocaleString('en');
  const row = rowFrom(
    results,
    `history: 50-message page, ${config.historyRuns} sequential requests`,
  );
  const deepOverNewest = (r: { depth0: Summary; deep: Summary }) => r.deep.p50 / r.depth0.p50;
  return {
    rows: [
      row('depth 0, p50', 'ms', (r) => r.depth0.p50),
      row(`depth ${depth}, p50`, 'ms', (r) => r.deep.p50),
      row(`depth ${depth}, p99`, 'ms', (r) => r.deep.p99),
      row('deep p50 / depth-0 p50', '×', deepOverNewest, {
        target: 'server ≤ 1.5',
        met: deepOverNewest(results.server) <= 1.5,
      }),
    ],
    detail: results,
  };
}
