/**
 * Scenario 1, delivery latency, open loop: BENCH_RATE messages/s (200) into a group of
 * BENCH_GROUP (10) whose members are split across the two instances, each message sent by the
 * next member in turn. Messages are sent when due whatever the replies, so queueing shows; the
 * latency of each arrival is counted from the moment its message was due (not from when it was
 * actually sent), which also charges the load generator's own lateness to the system — equally
 * for both. The first BENCH_WARMUP_S seconds are not counted.
 */
import { summarize } from '../support.js';
import { awaitLive, connect, runPool, type BenchClient } from '../load/clients.load.js';
import {
  config,
  forBoth,
  rowFrom,
  until,
  type BenchContext,
  type ScenarioResult,
} from '../load/context.load.js';
import { cpuMeter, selfCpuMeter } from '../load/proc.load.js';
import type { Kind } from '../load/targets.load.js';

interface KindResult {
  p50: number;
  p99: number;
  max: number;
  samples: number;
  sent: number;
  sendFailures: number;
  lost: number;
  serverCpuMsPer1kDeliveries: number;
  loadGenCpuPct: number;
}

async function runKind(ctx: BenchContext, kind: Kind): Promise<KindResult> {
  const instances = ctx.instances[kind];
  const { users, conversation } = ctx.fixtures.delivery;
  const conversationId = conversation[kind];
  const clients: BenchClient[] = await runPool(users.length, 20, (i) =>
    connect(kind, instances[i % instances.length].wsUrl, users[i].token),
  );
  try {
    for (const c of clients) c.subscribe();
    await awaitLive(clients, clients[0], conversationId);

    const interval = 1000 / config.rate;
    const warmup = Math.round(config.warmupS * config.rate);
    const total = warmup + Math.round(config.durationS * config.rate);
    const arrivals = new Uint16Array(total);
    const latencies: number[] = [];
    let last = 0;
    const t0 = performance.now() + 20;
    for (const c of clients) {
      c.onDelivery = (frame) => {
        const n = Number(c.textOf(frame));
        if (!(n >= 0)) return; // a trailing probe
        const now = performance.now();
        arrivals[n]++;
        last = now;
        if (n >= warmup) latencies.push(now - (t0 + n * interval));
      };
    }
    const cpu = cpuMeter(instances.map((i) => i.pid));
    const selfCpu = selfCpuMeter();
    let sendFailures = 0;
    let next = 0;
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now();
        while (next < total && t0 + next * interval <= now) {
          clients[next % clients.length]
            .send(conversationId, String(next))
            .catch(() => sendFailures++);
          next++;
        }
        if (next >= total) resolve();
        else setTimeout(tick, Math.max(0, t0 + next * interval - performance.now()));
      };
      setTimeout(tick, 20);
    });
    // Drain: every delivery in, or 30 s.
    const expected = (total - warmup) * clients.length;
    await until(() => latencies.length >= expected, 30_000);
    const elapsedS = (last - t0) / 1000;
    const serverCpu = cpu();
    const summary = summarize(latencies);
    let delivered = 0;
    for (let n = 0; n < total; n++) delivered += arrivals[n];
    return {
      p50: summary.p50,
      p99: summary.p99,
      max: summary.max,
      samples: summary.n,
      sent: total,
      sendFailures,
      lost: expected - latencies.length,
      serverCpuMsPer1kDeliveries: (serverCpu / delivered) * 1000,
      loadGenCpuPct: (selfCpu() / 10 / elapsedS) | 0,
    };
  } finally {
    for (const c of clients) c.close();
  }
}

export async function deliveryScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const results = await forBoth((kind) => runKind(ctx, kind));
  const row = rowFrom(
    results,
    `delivery, open loop ${config.rate}/s, group ${config.group} on 2 instances`,
  );
  return {
    rows: [
      row('p50', 'ms', (r) => r.p50),
      row('p99', 'ms', (r) => r.p99, {
        target: 'server ≤ 1.5× floor',
        met: results.server.p99 <= 1.5 * results.floor.p99,
      }),
      row('max', 'ms', (r) => r.max),
      row('lost deliveries', '', (r) => r.lost),
      row('server CPU per 1,000 deliveries', 'ms', (r) => r.serverCpuMsPer1kDeliveries),
    ],
    detail: results,
  };
}
