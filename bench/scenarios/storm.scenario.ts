/**
 * Scenario 5, reconnect storm: BENCH_STORM (10,000) clients in groups of 10 (split across the two
 * instances), each subscribed to its group's conversation, hold the first 2 messages; all drop at
 * once (sockets cut), 3 more messages go to every group while they are away, then all reconnect at
 * the same moment and resume with `afterSeq` = the last seq they hold, while one more message per
 * group is sent live. Measured: the time from the storm's start until every client holds every
 * seq 1..6 of its conversation, and messages lost (never arrived) and duplicated (arrived twice)
 * — both must be 0. A separate sender connection (a member of every group) does the sending.
 *
 * BENCH_STORM_STREAM=events: the server's clients subscribe and resume with the change stream
 * instead (`conversationEvents` with `afterEventSeq`, the eventSeq of the last message they hold);
 * the floor, which has no change stream, resumes with afterSeq as before. Also counted: the
 * scratch database's statements (transactions) during the storm, per client, and the
 * subscription errors by code.
 */
import { connect, runPool, type BenchClient } from '../load/clients.load.js';
import {
  config,
  forBoth,
  rowFrom,
  type BenchContext,
  type ScenarioResult,
} from '../load/context.load.js';
import { cpuMeter, selfCpuMeter } from '../load/proc.load.js';
import type { Kind } from '../load/targets.load.js';
import { sleep, until } from '../../test/support/wait.js';
import type { TestDatabase } from '../../test/support/database.js';

const BEFORE = 2;
const WHILE_AWAY = 3;
const DURING = 1;
const TOTAL = BEFORE + WHILE_AWAY + DURING;
/** How the server's clients resume: messageAdded with afterSeq, or conversationEvents. */
const STREAM = process.env.BENCH_STORM_STREAM === 'events' ? 'events' : 'messages';

interface KindResult {
  clients: number;
  reconnectedS: number;
  caughtUpS: number;
  lost: number;
  duplicates: number;
  connectRetries: number;
  subscriptionErrors: number;
  /** Subscription errors by their code (or message). */
  errorCodes: Record<string, number>;
  /** The scratch database's transactions (one per statement outside one) during the storm. */
  statements: number;
  statementsPerClient: number;
  serverCpuMs: number;
  loadGenCpuMs: number;
}

/** What one client holds: how often each seq of its conversation arrived. */
class Holder {
  readonly counts = new Uint8Array(TOTAL + 1);
  /** The eventSeq each seq came with (conversationEvents only). */
  readonly eventSeqs = new Int32Array(TOTAL + 1);
  duplicates = 0;
  caughtUpAt = 0;
  client?: BenchClient;

  constructor(readonly conversationId: string) {}

  attach(client: BenchClient): void {
    this.client = client;
    client.onDelivery = (frame) => {
      const { seq, conversationId, eventSeq } = client.parse(frame);
      if (conversationId !== this.conversationId || seq > TOTAL) return;
      if (eventSeq !== undefined) this.eventSeqs[seq] = eventSeq;
      if (this.counts[seq]++ > 0) this.duplicates++;
      if (!this.caughtUpAt && this.held() === TOTAL) this.caughtUpAt = performance.now();
    };
  }

  /** Subscribes (or resumes after what it holds, when it holds something). */
  subscribe(resume: boolean): void {
    const client = this.client!;
    const held = this.held();
    if (client.kind === 'server' && STREAM === 'events') {
      client.subscribeEvents(this.conversationId, resume ? this.eventSeqs[held] : undefined);
    } else {
      client.subscribe(this.conversationId, resume ? held : 0);
    }
  }

  /** The highest seq up to which nothing is missing. */
  held(): number {
    let seq = 0;
    while (seq < TOTAL && this.counts[seq + 1] > 0) seq++;
    return seq;
  }
}

/** Sends `perConversation` messages to each conversation, 16 in flight at most. */
async function sendRound(sender: BenchClient, conversations: string[], perConversation: number) {
  // Each worker takes whole conversations, so one conversation's sends stay in order.
  await runPool(conversations.length, 16, async (i) => {
    for (let k = 0; k < perConversation; k++) await sendRetrying(sender, conversations[i]);
  });
}

let sendKeys = 0;

/**
 * A send as a real client makes it during a storm: a refusal it may retry (SERVICE_UNAVAILABLE
 * while 10,000 resumes hold the database pool, TOO_MANY_REQUESTS) is retried after a pause, with
 * the same clientMessageId, so a retry can never store the message twice.
 */
async function sendRetrying(sender: BenchClient, conversationId: string): Promise<void> {
  const key = `storm-${++sendKeys}`;
  for (let attempt = 0; ; attempt++) {
    try {
      await sender.send(conversationId, 'storm', key);
      return;
    } catch (error) {
      const retryable = /SERVICE_UNAVAILABLE|TOO_MANY_REQUESTS|INTERNAL/.test(String(error));
      if (!retryable || attempt >= 30) throw error;
      await sleep(100 + Math.random() * 200);
    }
  }
}

async function connectWithRetry(
  kind: Kind,
  wsUrl: string,
  token: string,
  retries: { count: number },
): Promise<BenchClient> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await connect(kind, wsUrl, token);
    } catch (error) {
      if (attempt >= 20) throw error;
      retries.count++;
      // A real client backs off with jitter; so does this one.
      await sleep(100 + Math.random() * 200 * Math.min(attempt + 1, 5));
    }
  }
}

async function runKind(ctx: BenchContext, kind: Kind): Promise<KindResult> {
  const instances = ctx.instances[kind];
  const { users, sender: senderUser } = ctx.fixtures.storm;
  const conversations = ctx.fixtures.storm.conversations[kind];
  const count = Math.min(config.storm, users.length);
  const holders = users
    .slice(0, count)
    .map((_, i) => new Holder(conversations[Math.floor(i / 10)]));
  const wsUrlOf = (i: number) => instances[i % instances.length].wsUrl;
  const sender = await connect(kind, instances[0].wsUrl, senderUser.token);
  const retries = { count: 0 };
  try {
    await runPool(count, 100, async (i) => {
      const client = await connect(kind, wsUrlOf(i), users[i].token);
      holders[i].attach(client);
      holders[i].subscribe(false);
    });
    const used = conversations.slice(0, Math.ceil(count / 10));
    await sleep(1000);
    await sendRound(sender, used, BEFORE);
    await until(() => holders.every((h) => h.held() >= BEFORE), 60_000);
    const ready = holders.filter((h) => h.held() >= BEFORE).length;
    if (ready < count) throw new Error(`only ${ready} of ${count} clients got the first messages`);

    // Everyone drops at once; the servers see the sockets cut.
    for (const h of holders) h.client!.terminate();
    await sleep(1000);
    await sendRound(sender, used, WHILE_AWAY);

    const errorCodes: Record<string, number> = {};
    const statementsBefore = await statementsOf(ctx.db);
    const cpu = cpuMeter(instances.map((i) => i.pid));
    const selfCpu = selfCpuMeter();
    const start = performance.now();
    let reconnectedAt = 0;
    let reconnected = 0;
    let subscriptionErrors = 0;
    const storm = Promise.all(
      holders.map(async (h, i) => {
        const client = await connectWithRetry(kind, wsUrlOf(i), users[i].token, retries);
        h.attach(client);
        // A resume refused while the storm holds the database (SERVICE_UNAVAILABLE) is retried,
        // from what the client holds by then, as a real client would; errors still counts it.
        client.onSubscriptionError = (payload) => {
          const code = codeOf(payload);
          errorCodes[code] = (errorCodes[code] ?? 0) + 1;
          setTimeout(() => h.subscribe(true), 200 + Math.random() * 300);
        };
        h.subscribe(true);
        if (++reconnected === count) reconnectedAt = performance.now();
      }),
    );
    await Promise.all([storm, sendRound(sender, used, DURING)]);
    await until(() => holders.every((h) => h.caughtUpAt > 0), 60_000);
    await sleep(500); // late duplicates would land now
    const serverCpuMs = cpu();
    const loadGenCpuMs = selfCpu();
    for (const h of holders) subscriptionErrors += h.client!.errors;
    // PostgreSQL reports a backend's counts once it has been idle a moment.
    await sleep(1500);
    const statements = (await statementsOf(ctx.db)) - statementsBefore;
    const caughtUp = holders.filter((h) => h.caughtUpAt);
    return {
      clients: count,
      reconnectedS: (reconnectedAt - start) / 1000,
      caughtUpS:
        caughtUp.length === count
          ? (Math.max(...caughtUp.map((h) => h.caughtUpAt)) - start) / 1000
          : NaN,
      lost: holders.reduce((sum, h) => sum + h.counts.slice(1).filter((n) => n === 0).length, 0),
      duplicates: holders.reduce((sum, h) => sum + h.duplicates, 0),
      connectRetries: retries.count,
      subscriptionErrors,
      errorCodes,
      statements,
      statementsPerClient: statements / count,
      serverCpuMs,
      loadGenCpuMs,
    };
  } finally {
    for (const h of holders) h.client?.terminate();
    sender.close();
    await sleep(500);
  }
}

/** Transactions committed or rolled back in the scratch database so far. */
async function statementsOf(db: TestDatabase): Promise<number> {
  const [row] = await db.query<{ n: string }>(
    `SELECT pg_stat_clear_snapshot(), (xact_commit + xact_rollback)::text AS n
       FROM pg_stat_database WHERE datname = current_database()`,
  );
  return Number(row.n);
}

/**
 * A subscription error's code: graphql-ws `error` payloads are GraphQL error lists, `next` ones
 * carry `errors`; the message where there is no code.
 */
function codeOf(payload: unknown): string {
  const list = Array.isArray(payload) ? payload : (payload as { errors?: unknown[] })?.errors;
  const first = (list?.[0] ?? payload) as
    { message?: string; extensions?: { code?: string } } | undefined;
  const code = first?.extensions?.code;
  return `${code ?? ''} ${first?.message?.slice(0, 80) ?? ''}`.trim() || JSON.stringify(payload);
}

export async function stormScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const results = await forBoth((kind) => runKind(ctx, kind));
  const row = rowFrom(
    results,
    `reconnect storm: ${config.storm.toLocaleString('en')} clients resume with ${STREAM === 'events' ? 'afterEventSeq (server; floor afterSeq)' : 'afterSeq'} at once`,
  );
  return {
    rows: [
      row('all reconnected', 's', (r) => r.reconnectedS),
      row('all caught up', 's', (r) => r.caughtUpS, {
        target: 'server ≤ 10 s',
        met: results.server.caughtUpS <= 10,
      }),
      row('messages lost', '', (r) => r.lost, { target: '0', met: results.server.lost === 0 }),
      row('duplicates', '', (r) => r.duplicates, {
        target: '0',
        met: results.server.duplicates === 0,
      }),
      row('server CPU for the storm', 'ms', (r) => r.serverCpuMs),
      row('database statements per client', '', (r) => r.statementsPerClient),
    ],
    detail: results,
  };
}
