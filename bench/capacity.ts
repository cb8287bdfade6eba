/**
 * The capacity plan, computed from measured per-unit costs (bench/results/unit-costs.json, written
 * by `npm run bench:units`): what 10k, 100k and 1M concurrent users, each sending one message a
 * minute in groups of 10, need in app instances, Redis shards, PostgreSQL write rate and storage
 * growth, and which single part gives out first. Prints the Markdown table docs/capacity.md shows.
 *
 *   npm run capacity [-- path/to/unit-costs.json]
 *
 * Measured figures come from the JSON; everything else is an assumption named in ASSUMPTIONS
 * below (and in docs/capacity.md), so the table moves when the code gets faster or heavier.
 */
import { readFileSync } from 'node:fs';

export interface UnitCosts {
  cpuMsPerSend: number;
  cpuMsPerDelivery: number;
  cpuMsPerIdleConnectionPerSecond: number;
  redisCommandsPerSend: { groupOf2: number; groupOf10: number };
  redisCommandsPerPresenceChange: number;
  redisCommandsPerIdleConnectionPerSecond: number;
  sqlStatementsPerSend: number;
  pgPerSend: { commitsPerSend: number; rowsInsertedPerSend: number; rowsUpdatedPerSend: number };
  bytesPerStoredMessage: number;
  redisCommandsPerSecondOneCore?: number;
}

export const ASSUMPTIONS = {
  messagesPerUserPerMinute: 1,
  groupSize: 10,
  /** Every member of a group is among the concurrent users: a send is groupSize deliveries. */
  deliveriesPerSend: 10,
  /** A user comes and goes every 30 minutes on average: two presence changes per 30 minutes. */
  presenceChangesPerUserPerSecond: 2 / 1800,
  /** An instance is one Node process (one core for JavaScript); plan it at 60% busy. */
  instanceCpuBudgetMsPerSecond: 600,
  /** Sockets per instance, whatever the CPU says (memory, file descriptors, drain on restart). */
  maxConnectionsPerInstance: 20_000,
  /** One Redis master is one core; used at 50%. Used when the bench did not measure it. */
  redisCommandsPerSecondOneCore: 100_000,
  redisShardBudget: 0.5,
  /** Bytes of one published payload (a message with its sender), through Redis once per member. */
  payloadBytes: 600,
  /**
   * Sends (one transaction each) a single PostgreSQL primary sustains: a figure for a dedicated
   * 16-core NVMe machine with synchronous commit, not measured here (2 shared cores).
   */
  pgPrimarySendsPerSecond: 10_000,
  /** Data disk of that primary, and the days of history it must hold before archiving. */
  pgDiskBytes: 4e12,
  retentionDays: 365,
  minInstances: 2,
};

export interface Plan {
  users: number;
  sendsPerSecond: number;
  deliveriesPerSecond: number;
  cpuCores: number;
  instances: number;
  redisCommandsPerSecond: number;
  redisShards: number;
  redisBytesPerSecond: number;
  pgWritesPerSecond: number;
  pgRowsPerSecond: number;
  storageBytesPerDay: number;
  /** Each single (unsharded) part's load against its capacity, highest first. */
  loads: { part: string; load: number }[];
  firstToBreak: string;
}

export function plan(costs: UnitCosts, users: number, a = ASSUMPTIONS): Plan {
  const sendsPerSecond = (users * a.messagesPerUserPerMinute) / 60;
  const deliveriesPerSecond = sendsPerSecond * a.deliveriesPerSend;
  const cpuMsPerSecond =
    sendsPerSecond * costs.cpuMsPerSend +
    deliveriesPerSecond * costs.cpuMsPerDelivery +
    users * costs.cpuMsPerIdleConnectionPerSecond;
  const instances = Math.max(
    a.minInstances,
    Math.ceil(cpuMsPerSecond / a.instanceCpuBudgetMsPerSecond),
    Math.ceil(users / a.maxConnectionsPerInstance),
  );
  const redisCommandsPerSecond =
    sendsPerSecond * costs.redisCommandsPerSend.groupOf10 +
    users * a.presenceChangesPerUserPerSecond * costs.redisCommandsPerPresenceChange +
    users * costs.redisCommandsPerIdleConnectionPerSecond;
  const redisCore = costs.redisCommandsPerSecondOneCore ?? a.redisCommandsPerSecondOneCore;
  const redisLoad = redisCommandsPerSecond / (redisCore * a.redisShardBudget);
  const redisShards = Math.max(1, Math.ceil(redisLoad));
  const pgWritesPerSecond = sendsPerSecond * costs.pgPerSend.commitsPerSend;
  const storageBytesPerDay = sendsPerSecond * 86_400 * costs.bytesPerStoredMessage;
  // What a single, unsharded part carries against what it can: the largest ratio breaks first.
  const loads: [string, number][] = [
    ['one Redis (move to REDIS_CLUSTER_NODES)', redisLoad],
    [
      "the PostgreSQL primary's write rate (distribute by conversation_id)",
      pgWritesPerSecond / a.pgPrimarySendsPerSecond,
    ],
    [
      `the PostgreSQL primary's disk (${a.retentionDays} days of history)`,
      (storageBytesPerDay * a.retentionDays) / a.pgDiskBytes,
    ],
  ];
  loads.sort((x, y) => y[1] - x[1]);
  const [name, load] = loads[0];
  return {
    users,
    sendsPerSecond,
    deliveriesPerSecond,
    cpuCores: cpuMsPerSecond / 1000,
    instances,
    redisCommandsPerSecond,
    redisShards,
    redisBytesPerSecond: deliveriesPerSecond * a.payloadBytes,
    pgWritesPerSecond,
    pgRowsPerSecond: sendsPerSecond * costs.pgPerSend.rowsInsertedPerSend,
    storageBytesPerDay,
    loads: loads.map(([part, load]) => ({ part, load })),
    firstToBreak:
      load >= 1
        ? `${name} (${Math.round(load * 100)}% of it)`
        : `nothing; nearest: ${name} (${Math.round(load * 100)}%)`,
  };
}

const si = (n: number) =>
  n >= 1e6
    ? `${+(n / 1e6).toFixed(1)}M`
    : n >= 1e3
      ? `${+(n / 1e3).toFixed(1)}k`
      : n.toFixed(n < 10 ? 1 : 0);
const bytes = (n: number) =>
  n >= 1e12
    ? `${(n / 1e12).toFixed(1)} TB`
    : n >= 1e9
      ? `${(n / 1e9).toFixed(1)} GB`
      : `${(n / 1e6).toFixed(0)} MB`;

export function table(plans: Plan[]): string {
  const rows = [
    ['concurrent users', ...plans.map((p) => si(p.users))],
    [
      'sends/s · deliveries/s',
      ...plans.map((p) => `${si(p.sendsPerSecond)} · ${si(p.deliveriesPerSecond)}`),
    ],
    [
      'app CPU (cores) → instances',
      ...plans.map((p) => `${p.cpuCores.toFixed(1)} → ${p.instances}`),
    ],
    [
      'Redis commands/s → shards (masters)',
      ...plans.map((p) => `${si(p.redisCommandsPerSecond)} → ${p.redisShards}`),
    ],
    ['Redis pub/sub traffic', ...plans.map((p) => `${bytes(p.redisBytesPerSecond)}/s`)],
    [
      'PostgreSQL writes/s (rows/s)',
      ...plans.map((p) => `${si(p.pgWritesPerSecond)} (${si(p.pgRowsPerSecond)})`),
    ],
    ['storage growth/day', ...plans.map((p) => bytes(p.storageBytesPerDay))],
    [
      'load of one Redis · PG primary writes · PG disk',
      ...plans.map((p) =>
        ['one Redis', 'write rate', 'disk']
          .map((k) => `${Math.round(100 * p.loads.find((l) => l.part.includes(k))!.load)}%`)
          .join(' · '),
      ),
    ],
    ['first to break', ...plans.map((p) => p.firstToBreak)],
  ];
  const header = `| concurrent users | ${plans.map((p) => si(p.users)).join(' | ')} |`;
  const rule = `| --- | ${plans.map(() => '---').join(' | ')} |`;
  return [header, rule, ...rows.slice(1).map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

if (process.argv[1]?.endsWith('capacity.js')) {
  const path = process.argv[2] ?? 'bench/results/unit-costs.json';
  const costs = JSON.parse(readFileSync(path, 'utf8')) as UnitCosts;
  console.log(`From ${path} (measured ${(costs as { measuredAt?: string }).measuredAt ?? '?'}):\n`);
  console.log(table([10_000, 100_000, 1_000_000].map((users) => plan(costs, users))));
}
