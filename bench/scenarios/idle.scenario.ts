/**
 * Scenario 3, idle connections: BENCH_IDLE (20,000) authenticated connections, each a different
 * user subscribed to all of their messages, on one fresh instance, then nothing but upkeep →
 * resident memory per connection ((VmRSS with them − VmRSS before) / N) and the CPU per second the
 * instance spends keeping them (keep-alive pings every 12 s, and, once presence exists, its claim
 * renewals), read from /proc/<pid> over BENCH_IDLE_WINDOW_S (30 s: two ping rounds, three
 * renewals at the default 30 s presence TTL). Then the V8 heap in use after a full GC, with the
 * connections and once they have all closed: what the connections themselves hold, without the
 * garbage and spare heap that RSS also counts (inspector.load.ts).
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
import { freePort, liveHeapBytes, openInspector } from '../load/inspector.load.js';
import { cpuMs, rssKb, selfCpuMeter } from '../load/proc.load.js';
import { prefixOf, startInstance, type Kind } from '../load/targets.load.js';
import { sleep } from '../../test/support/wait.js';

interface KindResult {
  connections: number;
  rssBeforeKb: number;
  rssSettledKb: number;
  rssEndKb: number;
  rssPerConnectionKb: number;
  /** (heap in use after a full GC with the connections − the same once they closed) / N. */
  liveHeapPerConnectionKb: number;
  cpuMsPerS: number;
  connectSeconds: number;
  loadGenCpuMsPerS: number;
}

/**
 * Waits until Redis reports a subscriber on each user's channel (the subscriptions are live), or,
 * with `none`, on none of them (every connection's close has been handled).
 */
async function awaitChannels(redis: Redis, channels: string[], none = false): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    let live = 0;
    for (let i = 0; i < channels.length; i += 1000) {
      const reply = (await redis.call('PUBSUB', 'NUMSUB', ...channels.slice(i, i + 1000))) as (
        string | number
      )[];
      for (let j = 1; j < reply.length; j += 2) if (Number(reply[j]) > 0) live++;
    }
    if (none ? live === 0 : live >= channels.length) return;
    if (Date.now() > deadline) throw new Error(`${live} of ${channels.length} subscribed`);
    await sleep(250);
  }
}

async function runKind(ctx: BenchContext, kind: Kind): Promise<KindResult> {
  const users = ctx.fixtures.idle.slice(0, config.idle);
  const inspectPort = await freePort();
  const instance = await startInstance(kind, ctx.options, [
    `--inspect-port=127.0.0.1:${inspectPort}`,
  ]);
  const redis = new Redis(ctx.options.redisUrl);
  const clients: Awaited<ReturnType<typeof connect>>[] = [];
  try {
    await openInspector(instance.pid, inspectPort);
    await sleep(2000); // let start-up garbage settle
    const rssBeforeKb = rssKb(instance.pid);
    const started = Date.now();
    await runPool(users.length, 100, async (i) => {
      const client = await connect(kind, instance.wsUrl, users[i].token);
      client.subscribe();
      clients.push(client);
    });
    const channels = users.map((u) => `${prefixOf(ctx.options, kind)}user:${u.id}`);
    await awaitChannels(redis, channels);
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
    const heapWith = await liveHeapBytes(inspectPort);
    for (const c of clients) c.terminate();
    await awaitChannels(redis, channels, true);
    await sleep(2000); // the closes' own work (presence releases, grace) done
    const heapWithout = await liveHeapBytes(inspectPort);
    return {
      connections: clients.length,
      rssBeforeKb,
      rssSettledKb,
      rssEndKb,
      rssPerConnectionKb: (Math.max(rssSettledKb, rssEndKb) - rssBeforeKb) / clients.length,
      liveHeapPerConnectionKb: (heapWith - heapWithout) / 1024 / clients.length,
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
      row(
        `CPU on upkeep (${config.idleWindowS} s window)`,
        '% of a core',
        (r) => r.cpuMsPerS / 10,
        {
          target: 'server < 5%',
          met: server.cpuMsPerS / 10 < 5,
        },
      ),
      row('RSS with the connections', 'MB', (r) => r.rssEndKb / 1024),
      row('V8 heap per connection after a full GC', 'KB', (r) => r.liveHeapPerConnectionKb),
    ],
    detail: results,
  };
}
