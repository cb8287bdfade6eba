/**
 * Scenario 1, delivery latency, open loop: BENCH_RATES messages/s (200, then 400) into a group of
 * BENCH_GROUP (10) whose members are split across the two instances, each message sent by the
 * next member in turn. Messages are sent when due whatever the replies, so queueing shows; the
 * latency of each arrival is counted from the moment its message was due (not from when it was
 * actually sent), which also charges the load generator's own lateness to the system — equally
 * for both. The first BENCH_WARMUP_S seconds are not counted. Arrivals are counted per (client,
 * message), so lost and duplicated deliveries are told apart. Floor and server take turns over
 * BENCH_ROUNDS rounds, each measured with the other's instances stopped (see deliveryAt). Sends
 * travel as BENCH_SEND_PATHS says: mutations over the socket each member holds (`ws`) and HTTP
 * requests (`http`: POST /graphql with the token, the floor's POST /send), each path its own row.
 */
import { awaitLive, connect, runPool, type BenchClient } from '../load/clients.load.js';
import {
  config,
  forBoth,
  rowFrom,
  type BenchContext,
  type ScenarioResult,
} from '../load/context.load.js';
import { cpuMeter, selfCpuMeter } from '../load/proc.load.js';
import { median, summarize } from '../load/stats.load.js';
import type { Kind } from '../load/targets.load.js';
import { until } from '../../test/support/wait.js';

interface KindResult {
  p50: number;
  p99: number;
  max: number;
  samples: number;
  sent: number;
  sendFailures: number;
  /** (client, message) pairs that never arrived, over every message sent (warm-up included). */
  lost: number;
  /** Arrivals of a message at a client that already had it (not counted as latency samples). */
  duplicates: number;
  serverCpuMsPer1kDeliveries: number;
  loadGenCpuPct: number;
}

/** How a send travels: a mutation over the socket the client holds, or an HTTP request. */
export type SendPath = 'ws' | 'http';

async function runKind(
  ctx: BenchContext,
  kind: Kind,
  rate: number,
  path: SendPath,
): Promise<KindResult> {
  const instances = ctx.instances[kind];
  const { users, conversation } = ctx.fixtures.delivery;
  const conversationId = conversation[kind];
  const clients: BenchClient[] = await runPool(users.length, 20, (i) =>
    connect(kind, instances[i % instances.length].wsUrl, users[i].token),
  );
  try {
    for (const c of clients) c.subscribe();
    await awaitLive(clients, clients[0], conversationId);

    const interval = 1000 / rate;
    const warmup = Math.round(config.warmupS * rate);
    const total = warmup + Math.round(config.durationS * rate);
    // Per (message n, client k) at n * members + k: whether it has arrived. Counting per client,
    // not per message, keeps a duplicate at one client from hiding a loss at another.
    const members = clients.length;
    const arrived = new Uint8Array(total * members);
    const latencies: number[] = [];
    let frames = 0;
    let firsts = 0;
    let duplicates = 0;
    let last = 0;
    const t0 = performance.now() + 20;
    clients.forEach((c, k) => {
      c.onDelivery = (frame) => {
        const n = Number(c.textOf(frame));
        if (!(n >= 0 && n < total)) return; // a trailing probe
        const now = performance.now();
        frames++;
        last = now;
        if (arrived[n * members + k]) {
          duplicates++;
          return;
        }
        arrived[n * members + k] = 1;
        firsts++;
        if (n >= warmup) latencies.push(now - (t0 + n * interval));
      };
    });
    const cpu = cpuMeter(instances.map((i) => i.pid));
    const selfCpu = selfCpuMeter();
    let sendFailures = 0;
    let next = 0;
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now();
        while (next < total && t0 + next * interval <= now) {
          const sender = clients[next % clients.length];
          (path === 'ws'
            ? sender.send(conversationId, String(next))
            : sender.sendOverHttp(conversationId, String(next))
          )
            .catch((e: unknown) => {
              if (sendFailures++ === 0) console.error(`first failed send: ${String(e)}`);
            });
          next++;
        }
        if (next >= total) resolve();
        else setTimeout(tick, Math.max(0, t0 + next * interval - performance.now()));
      };
      setTimeout(tick, 20);
    });
    // Drain: every message at every client, or 30 s.
    await until(() => firsts >= total * members, 30_000);
    const elapsedS = (last - t0) / 1000;
    const serverCpu = cpu();
    const summary = summarize(latencies);
    return {
      p50: summary.p50,
      p99: summary.p99,
      max: summary.max,
      samples: summary.n,
      sent: total,
      sendFailures,
      lost: total * members - firsts,
      duplicates,
      serverCpuMsPer1kDeliveries: (serverCpu / frames) * 1000,
      loadGenCpuPct: (selfCpu() / 10 / elapsedS) | 0,
    };
  } finally {
    for (const c of clients) c.close();
  }
}

/** Round r runs the floor first when r is even, the server first when odd. */
const orderOf = (round: number): Kind[] =>
  round % 2 === 0 ? ['floor', 'server'] : ['server', 'floor'];

/** A kind's figures over the rounds: the median of each measurement, the sum of each count. */
function combine(rounds: readonly KindResult[]): KindResult {
  const mid = (pick: (r: KindResult) => number) => median(rounds.map(pick));
  const sum = (pick: (r: KindResult) => number) => rounds.reduce((s, r) => s + pick(r), 0);
  return {
    p50: mid((r) => r.p50),
    p99: mid((r) => r.p99),
    max: mid((r) => r.max),
    samples: sum((r) => r.samples),
    sent: sum((r) => r.sent),
    sendFailures: sum((r) => r.sendFailures),
    lost: sum((r) => r.lost),
    duplicates: sum((r) => r.duplicates),
    serverCpuMsPer1kDeliveries: mid((r) => r.serverCpuMsPer1kDeliveries),
    loadGenCpuPct: mid((r) => r.loadGenCpuPct),
  };
}

/** Every send path (BENCH_SEND_PATHS) at every rate (BENCH_RATES). */
export async function deliveryScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const rows: ScenarioResult['rows'] = [];
  const detail: Record<string, unknown> = {};
  for (const path of config.sendPaths)
    for (const rate of config.rates) {
      const { rows: some, detail: one } = await deliveryAt(ctx, rate, path);
      rows.push(...some);
      detail[`${path}@${rate}`] = one;
    }
  return { rows, detail };
}

/**
 * BENCH_ROUNDS rounds of floor and server in alternating order (floor, server, server, floor…),
 * each measured with the other's instances stopped; the table shows each kind's median (counts
 * summed) and the detail each round's server/floor ratios, for how far a single run can swing.
 */
async function deliveryAt(ctx: BenchContext, rate: number, path: SendPath): Promise<ScenarioResult> {
  const rounds: Record<Kind, KindResult>[] = [];
  for (let round = 0; round < config.rounds; round++)
    rounds.push(
      await forBoth((kind) => runKind(ctx, kind, rate, path), {
        order: orderOf(round),
        pause: ctx.instances,
      }),
    );
  const results = {
    floor: combine(rounds.map((r) => r.floor)),
    server: combine(rounds.map((r) => r.server)),
  };
  const spread = (pick: (r: KindResult) => number) => {
    const perRound = rounds.map((r) => pick(r.server) / pick(r.floor));
    return { perRound, min: Math.min(...perRound), max: Math.max(...perRound) };
  };
  const ratios = {
    p50: spread((r) => r.p50),
    p99: spread((r) => r.p99),
    max: spread((r) => r.max),
    serverCpuMsPer1kDeliveries: spread((r) => r.serverCpuMsPer1kDeliveries),
  };
  const several = config.rounds > 1;
  const roundsNote = (q: { perRound: number[] }) =>
    several ? { note: `(rounds: ${q.perRound.map((x) => `${x.toFixed(2)}×`).join(', ')})` } : {};
  const how = path === 'ws' ? 'sends over the socket' : 'sends over HTTP';
  const row = rowFrom(
    results,
    `delivery, open loop ${rate}/s, ${how}, group ${config.group} on 2 instances${several ? `, median of ${config.rounds} rounds` : ''}`,
  );
  return {
    rows: [
      row('p50', 'ms', (r) => r.p50, {
        target: 'server ≤ 1.3× floor',
        met: results.server.p50 <= 1.3 * results.floor.p50,
        ...roundsNote(ratios.p50),
      }),
      row('p99', 'ms', (r) => r.p99, {
        target: 'server ≤ 1.5× floor',
        met: results.server.p99 <= 1.5 * results.floor.p99,
        ...roundsNote(ratios.p99),
      }),
      row('max', 'ms', (r) => r.max),
      row('lost deliveries', '', (r) => r.lost),
      row('duplicate deliveries', '', (r) => r.duplicates),
      row('failed sends', '', (r) => r.sendFailures),
      row('server CPU per 1,000 deliveries', 'ms', (r) => r.serverCpuMsPer1kDeliveries),
    ],
    detail: {
      ...results,
      ratios,
      rounds: rounds.map((r, i) => ({ order: orderOf(i), ...r })),
    },
  };
}
