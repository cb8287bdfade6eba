/**
 * The scale knobs (environment variables) and what every scenario gets: the scratch database, the
 * running instances of the floor and the server, and the users and conversations made for them.
 */
import type { ChildApp } from '../../test/support/app.js';
import type { TestDatabase } from '../../test/support/database.js';
import type { BenchUser } from './fixtures.load.js';
import { whileStopped } from './proc.load.js';
import type { Kind, TargetOptions } from './targets.load.js';

const quick = ['1', 'true', 'yes'].includes((process.env.BENCH_QUICK ?? '').toLowerCase());

function knob(name: string, full: number, quickValue = full): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return quick ? quickValue : full;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number: ${raw}`);
  return value;
}

/** Defaults are the issue's; BENCH_QUICK=1 shrinks them so a run takes about a minute. */
export const config = {
  quick,
  /** Delivery: the open-loop rates to measure (BENCH_RATES, or BENCH_RATE alone when set). */
  rates: process.env.BENCH_RATES
    ? process.env.BENCH_RATES.split(',').map(Number).filter((n) => n > 0)
    : process.env.BENCH_RATE
      ? [knob('BENCH_RATE', 200)]
      : [200, 400],
  /** Delivery: how sends travel, `ws` (mutations over the socket) and/or `http`. */
  sendPaths: (process.env.BENCH_SEND_PATHS ?? 'ws,http')
    .split(',')
    .map((p) => p.trim())
    .filter((p): p is 'ws' | 'http' => p === 'ws' || p === 'http'),
  /** Delivery: group size, measured and warm-up seconds. */
  group: knob('BENCH_GROUP', 10),
  durationS: knob('BENCH_DURATION_S', 10, 5),
  warmupS: knob('BENCH_WARMUP_S', 2, 1),
  /**
   * Delivery: rounds of floor and server in alternating order (floor, server, server, floor…);
   * the table shows each kind's median.
   */
  rounds: Math.max(1, knob('BENCH_ROUNDS', 2, 1)),
  /** Fan-out: closed-loop senders, seconds per group size, the group sizes. */
  senders: knob('BENCH_SENDERS', 8),
  fanoutS: knob('BENCH_FANOUT_S', 8, 3),
  fanoutGroups: (process.env.BENCH_FANOUT_GROUPS ?? '10,100,1000')
    .split(',')
    .map(Number)
    .filter((n) => n > 0),
  /** Idle: connections on one instance, and the seconds over which their upkeep is measured. */
  idle: knob('BENCH_IDLE', 20_000, 500),
  idleWindowS: knob('BENCH_IDLE_WINDOW_S', 30, 6),
  /** History: messages in the deep conversation, sequential requests per page. */
  historyMessages: knob('BENCH_HISTORY_MESSAGES', 1_000_000, 100_000),
  historyRuns: knob('BENCH_HISTORY_RUNS', 300, 50),
  /** Reconnect storm: clients (in groups of 10) that drop and resume at once. */
  storm: knob('BENCH_STORM', 10_000, 200),
  /** Run every instance with --cpu-prof (profiles land in bench/profiles/<kind>/). */
  profile: Boolean(process.env.BENCH_PROFILE),
};

export interface Fixtures {
  delivery: { users: BenchUser[]; conversation: Record<Kind, string> };
  /** fanout.users[0..g) are the members of fanout.conversations[kind][g]. */
  fanout: { users: BenchUser[]; conversations: Record<Kind, Record<number, string>> };
  idle: BenchUser[];
  history: { users: [BenchUser, BenchUser]; conversation: string };
  /** storm.users[10k..10k+10) are the members of storm.conversations[kind][k], with the sender. */
  storm: { users: BenchUser[]; sender: BenchUser; conversations: Record<Kind, string[]> };
  /** One user who comes online and goes offline (presence publishes need no contacts). */
  presence: { user: BenchUser };
}

export interface BenchContext {
  db: TestDatabase;
  options: TargetOptions;
  instances: Record<Kind, ChildApp[]>;
  fixtures: Fixtures;
}

export const KINDS: readonly Kind[] = ['floor', 'server'];

const other = (kind: Kind): Kind => (kind === 'floor' ? 'server' : 'floor');

/** One row of the results table: a figure for each system and their ratio (server / floor). */
export interface Row {
  scenario: string;
  metric: string;
  unit: string;
  floor: number | null;
  server: number | null;
  /** Whether a smaller figure is better (latency, memory) or a larger one (throughput). */
  better: 'lower' | 'higher';
  target?: string;
  met?: boolean | null;
  note?: string;
}

export interface ForBothOptions {
  /** The order to run them in; floor first by default. */
  order?: readonly Kind[];
  /**
   * Stop the other kind's instances (SIGSTOP) while one kind runs, and continue them after: an
   * idle server's presence sweeps must not take CPU from the floor's measurement on 2 shared
   * cores, nor the floor's timers from the server's.
   */
  pause?: Record<Kind, readonly ChildApp[]>;
}

/** Runs `run` for the floor, then for the server (or in `order`); their results by kind. */
export async function forBoth<T>(
  run: (kind: Kind) => Promise<T>,
  { order = KINDS, pause }: ForBothOptions = {},
): Promise<Record<Kind, T>> {
  const results = {} as Record<Kind, T>;
  for (const kind of order) {
    const others = pause?.[other(kind)].map((i) => i.pid) ?? [];
    results[kind] = await whileStopped(others, () => run(kind));
  }
  return { floor: results.floor, server: results.server };
}

/**
 * A maker of one scenario's table rows from both kinds' results: `row(metric, unit, pick)` puts
 * `pick(results.floor)` and `pick(results.server)` side by side; smaller is better unless `extra`
 * says otherwise (it also carries a target and whether it was met).
 */
export function rowFrom<T>(results: Record<Kind, T>, scenario: string) {
  return (
    metric: string,
    unit: string,
    pick: (result: T) => number | null,
    extra: Partial<Omit<Row, 'scenario' | 'metric' | 'unit' | 'floor' | 'server'>> = {},
  ): Row => ({
    scenario,
    metric,
    unit,
    floor: pick(results.floor),
    server: pick(results.server),
    better: 'lower',
    ...extra,
  });
}

export const ratio = (row: Pick<Row, 'floor' | 'server'>): number | null =>
  row.floor && row.server !== null ? row.server / row.floor : null;

/** A scenario: its table rows, plus whatever detail is worth keeping in the JSON. */
export interface ScenarioResult {
  rows: Row[];
  detail: Record<string, unknown>;
}
