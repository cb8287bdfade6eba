/**
 * Scenario 3, idle connections: BENCH_IDLE (20,000) authenticated connections, each a different
 * user subscribed to all of their messages, on one fresh instance, then nothing but upkeep →
 * resident memory per connection ((VmRSS with them − VmRSS before) / N) and the CPU per second the
 * instance spends keeping them (keep-alive pings every 12 s, and, once presence exists, its claim
 * renewals), read from /proc/<pid> over BENCH_IDLE_WINDOW_S (30 s: two ping rounds, three
 * renewals at the default 30 s presence TTL).
 */
import { Redis } from 'ioredis';
import { connect, runPool } from '../load/clients.load.js';
import {
  config,
  forBoth,
  rowFrom,
  type BenchContext,
  type ScenarioResult,
} from '../load/context.load.js';
import { cpuMs, rssKb, selfCpuMeter } from '../load/proc.load.js';
import { prefixOf, startInstance, type Kind } from '../load/targets.load.js';
import { sleep } from '../../test/support/wait.js';

interface KindResult {
  connections: number;
  rssBeforeKb: number;
  rssSettledKb: number;
  rssEndKb: number;
  rssPerConnectionKb: number;
  cpuMsPerS: number;
  connectSeconds: number;
  loadGenCpuMsPerS: number;
}

/** Waits until Redis reports a subscriber on each user's channel (the subscriptions are live). */
async function awaitChannels(redis: Redis, channels: string[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    let live = 0;
    for (let i = 0; i < channels.length; i += 1000) {
      const reply = (await redis.call('PUBSUB', 'NUMSUB', ...channels.slice(i, i + 1000))) as (
        string | number
      )[];
      for (let j = 1; j < reply.length; j += 2) if (Number(reply[j]) > 0) live++;
    }
    if (live >= channels.length) return;
    if (Date.now() > deadline) throw new Error(`only ${live} of ${channels.length} subscribed`);
    await sleep(250);
  }
}

async function runKind(ctx: BenchContext, kind: Kind): Promise<KindResult> {
  const users = ctx.fixtures.idle.slice(0, config.idle);
  const instance = await startInstance(kind, ctx.options);
  const redis = new Redis(ctx.options.redisUrl);
  const clients: Awaited<ReturnType<typeof connect>>[] = [];
  try {
    await sleep(2000); // let start-up garbage settle
    const rssBeforeKb = rssKb(instance.pid);
    const started = Date.now();
    await runPool(users.length, 100, async (i) => {
      const client = await connect(kind, instance.wsUrl, users[i].token);
      client.subscribe();
      clients.push(client);
    });
    await awaitChannels(
      redis,
      users.map((u) => `${prefixOf(ctx.options, kind)}user:${u.id}`),
    );
    const connectSeconds = (Date.now() - started) / 1000;
    await sleep(3000); // presence claims and the like finish
    const rssSettledKb = rssKb(instance.pid);
    const cpuStart = cpuMs(instance.pid);
    const selfCpu = selfCpuMeter();
    const windowStart = performance.now();
    await sleep(config.idleWindowS * 1000);
    const seconds = (performance.now() - windowStart) / 1000;
    const cpuMsPerS = (cpuMs(instance.pid) - cpuStart) / seconds;
    const rssEndKb = rssKb(instance.pid);
    return {
      connections: clients.length,
      rssBeforeKb,
      rssSettledKb,
      rssEndKb,
      rssPerConnectionKb: (Math.max(rssSettledKb, rssEndKb) - rssBeforeKb) / clients.length,
      cpuMsPerS,
      connectSeconds,
      loadGenCpuMsPerS: selfCpu() / seconds,
    };
  } finally {
    for (const c of clients) c.terminate();
    redis.disconnect();
    await instance.close();
  }
}

export async function idleScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const results = await forBoth((kind) => runKind(ctx, kind));
  const { server, floor } = results;
  const row = rowFrom(
    results,
    `idle: ${config.idle.toLocaleString('en')} subscribed connections on 1 instance`,
  );
  return {
    rows: [
      row('RSS per connection', 'KB', (r) => r.rssPerConnectionKb, {
        target: 'server ≤ 1.5× floor',
        met: server.rssPerConnectionKb <= 1.5 * floor.rssPerConnectionKb,
      }),
      // ms of CPU per second / 10 = % of one core.
      row(`CPU on upkeep (${config.idleWindowS} s window)`, '% of a core', (r) => r.cpuMsPerS / 10, {
        target: 'server < 5%',
        met: server.cpuMsPerS / 10 < 5,
      }),
      row('RSS with the connections', 'MB', (r) => r.rssEndKb / 1024),
    ],
    detail: results,
  };
}
