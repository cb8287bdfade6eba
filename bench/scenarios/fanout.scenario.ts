/**
 * Scenario 2, fan-out, closed loop: BENCH_SENDERS (8) members of a group send as fast as the
 * system lets them, for groups of 10, 100 and 1,000 (all members connected, split across the two
 * instances) → deliveries per second. Each sender sends its next message once the previous one is
 * acknowledged and has come back to its own connection, so the backlog stays bounded (at most one
 * message per sender in flight) and the figure is throughput, not queue growth. While one kind is
 * measured, the other kind's instances are stopped (SIGSTOP), so their timers take no CPU from it.
 */
import { awaitLive, connect, PROBE, runPool, type BenchClient } from '../load/clients.load.js';
import {
  config,
  forBoth,
  rowFrom,
  type BenchContext,
  type Row,
  type ScenarioResult,
} from '../load/context.load.js';
import { cpuMeter, selfCpuMeter } from '../load/proc.load.js';
import type { Kind } from '../load/targets.load.js';
import { sleep, until } from '../../test/support/wait.js';

interface GroupResult {
  deliveriesPerS: number;
  messagesPerS: number;
  delivered: number;
  expected: number;
  serverCpuMsPer1kDeliveries: number;
  loadGenCpuPct: number;
}

async function runGroup(
  ctx: BenchContext,
  kind: Kind,
  clients: BenchClient[],
  size: number,
): Promise<GroupResult> {
  const instances = ctx.instances[kind];
  const conversationId = ctx.fixtures.fanout.conversations[kind][size];
  const members = clients.slice(0, size);
  const senders = members.slice(0, Math.min(config.senders, size));
  await awaitLive(members, senders[0], conversationId);

  let delivered = 0;
  let lastAt = 0;
  // Per sender: the text it waits to see come back.
  const awaited = new Map<BenchClient, { text: string; resolve: () => void }>();
  for (const c of members) {
    c.onDelivery = (frame) => {
      const text = c.textOf(frame);
      if (text === PROBE) return; // a probe trailing in from awaitLive
      delivered++;
      lastAt = performance.now();
      const waiter = awaited.get(c);
      if (waiter && waiter.text === text) {
        awaited.delete(c);
        waiter.resolve();
      }
    };
  }
  const cpu = cpuMeter(instances.map((i) => i.pid));
  const selfCpu = selfCpuMeter();
  const start = performance.now();
  const deadline = start + config.fanoutS * 1000;
  let sent = 0;
  await Promise.all(
    senders.map(async (sender, s) => {
      for (let n = 0; performance.now() < deadline; n++) {
        const text = `${s}.${n}`;
        // A lost echo must not stall the loop: give up on it after 10 s.
        const echoed = new Promise<void>((resolve) => {
          awaited.set(sender, { text, resolve });
          setTimeout(resolve, 10_000).unref();
        });
        await sender.send(conversationId, text);
        sent++;
        await echoed;
      }
    }),
  );
  const expected = sent * size;
  await until(() => delivered >= expected, 30_000);
  const serverCpu = cpu();
  const seconds = (lastAt - start) / 1000;
  return {
    deliveriesPerS: Math.round(delivered / seconds),
    messagesPerS: Math.round(sent / seconds),
    delivered,
    expected,
    serverCpuMsPer1kDeliveries: (serverCpu / delivered) * 1000,
    loadGenCpuPct: Math.round(selfCpu() / 10 / seconds),
  };
}

async function runKind(ctx: BenchContext, kind: Kind): Promise<Record<number, GroupResult>> {
  const instances = ctx.instances[kind];
  const size = Math.max(...config.fanoutGroups);
  const users = ctx.fixtures.fanout.users.slice(0, size);
  const clients = await runPool(users.length, 50, (i) =>
    connect(kind, instances[i % instances.length].wsUrl, users[i].token),
  );
  try {
    for (const c of clients) c.subscribe();
    const results: Record<number, GroupResult> = {};
    for (const group of config.fanoutGroups)
      results[group] = await runGroup(ctx, kind, clients, group);
    return results;
  } finally {
    for (const c of clients) c.close();
    await sleep(500);
  }
}

export async function fanoutScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const results = await forBoth((kind) => runKind(ctx, kind), { pause: ctx.instances });
  const rows: Row[] = [];
  for (const group of config.fanoutGroups) {
    const row = rowFrom(results, `fan-out, closed loop, ${config.senders} senders, group ${group}`);
    const perS = (r: Record<number, GroupResult>) => r[group].deliveriesPerS;
    const sendsPerS = (r: Record<number, GroupResult>) => r[group].messagesPerS;
    rows.push(
      row('deliveries/s', '/s', perS, {
        better: 'higher',
        ...(group >= 100
          ? {
              target: 'server ≥ 0.7× floor',
              met: perS(results.server) >= 0.7 * perS(results.floor),
            }
          : {}),
      }),
      row('sends/s (closed loop)', '/s', sendsPerS, {
        better: 'higher',
        ...(group <= 100
          ? {
              target: 'server ≥ 0.7× floor',
              met: sendsPerS(results.server) >= 0.7 * sendsPerS(results.floor),
            }
          : {}),
      }),
      row('server CPU per 1,000 deliveries', 'ms', (r) => r[group].serverCpuMsPer1kDeliveries),
    );
    const lost = (r: Record<number, GroupResult>) => r[group].expected - r[group].delivered;
    if (lost(results.floor) || lost(results.server))
      rows.push(row('not delivered within 30 s', '', lost));
  }
  return { rows, detail: results };
}
