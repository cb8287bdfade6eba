/**
 * npm run bench — every scenario against the floor (bench/floor/) and the server in one run on
 * this machine: prints one table (floor, server, ratio, target) and writes
 * bench/results/<date>.json with an SVG chart beside it. Arguments pick scenarios
 * (`npm run bench -- delivery fanout idle`); scale knobs are in load/context.load.ts.
 * Two floor and two server instances run throughout; the idle scenario starts fresh ones.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { createTestDatabase } from '../test/support/database.js';
import { REDIS_URL } from '../test/support/env.js';
import { removeRedisPrefix } from '../test/support/redis.js';
import { chart } from './chart.js';
import {
  createDeepConversation,
  createGroups,
  createUsers,
  type BenchUser,
} from './load/fixtures.load.js';
import {
  config,
  ratio,
  type BenchContext,
  type Fixtures,
  type Row,
  type ScenarioResult,
} from './load/context.load.js';
import { openFileLimit, raiseOpenFileLimit, selfCpuMeter } from './load/proc.load.js';
import { startInstances, stopAll, type Kind, type TargetOptions } from './load/targets.load.js';
import { deliveryScenario } from './scenarios/delivery.scenario.js';
import { fanoutScenario } from './scenarios/fanout.scenario.js';
import { historyScenario } from './scenarios/history.scenario.js';
import { idleScenario } from './scenarios/idle.scenario.js';
import { presenceScenario } from './scenarios/presence.scenario.js';
import { stormScenario } from './scenarios/storm.scenario.js';

const SCENARIOS: Record<string, (ctx: BenchContext) => Promise<ScenarioResult>> = {
  delivery: deliveryScenario,
  fanout: fanoutScenario,
  idle: idleScenario,
  history: historyScenario,
  storm: stormScenario,
  presence: presenceScenario,
};

function machine() {
  const cpuModel = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1];
  let free: string;
  try {
    free = execFileSync('free', ['-h']).toString().trim();
  } catch {
    free = `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB total`;
  }
  return {
    nproc: os.availableParallelism(),
    cpuModel,
    memory: free,
    node: process.version,
    kernel: os.release(),
    openFileLimit: openFileLimit(),
    /** Other work on the machine skews every figure: 1-minute load average when the run began. */
    loadAverageAtStart: os.loadavg()[0],
  };
}

/** Sockets held at once by the load generator (the servers hold their share of the same). */
function socketsNeeded(selected: string[]): number {
  const need = [
    selected.includes('idle') ? config.idle : 0,
    selected.includes('storm') ? config.storm + 1 : 0,
    selected.includes('fanout') ? Math.max(0, ...config.fanoutGroups) : 0,
  ];
  return Math.max(...need) + 200;
}

async function makeFixtures(ctx: Pick<BenchContext, 'db'>, selected: string[]): Promise<Fixtures> {
  const db = ctx.db;
  const users = (prefix: string, n: number) => createUsers(db, prefix, n);
  const both = async <T>(make: (kind: Kind) => Promise<T>) => ({
    floor: await make('floor'),
    server: await make('server'),
  });
  const delivery = await users('dl', config.group);
  const fanoutSize = Math.max(0, ...config.fanoutGroups);
  const fanout = await users('fo', fanoutSize);
  const stormUsers = await users('st', config.storm);
  const [stormSender] = await users('stsender', 1);
  const groupsOf10: BenchUser[][] = [];
  for (let i = 0; i < stormUsers.length; i += 10)
    groupsOf10.push([...stormUsers.slice(i, i + 10), stormSender]);
  const history = (await users('hi', 2)) as [BenchUser, BenchUser];
  const [presence] = await users('pr', 1);
  const started = Date.now();
  const historyConversation = selected.includes('history')
    ? await createDeepConversation(db, history[0], history[1], config.historyMessages)
    : '';
  if (historyConversation)
    console.log(
      `filled ${config.historyMessages.toLocaleString('en')} messages in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  const fixtures: Fixtures = {
    delivery: {
      users: delivery,
      conversation: await both(
        async (k) => (await createGroups(db, `delivery ${k}`, [delivery]))[0],
      ),
    },
    fanout: {
      users: fanout,
      conversations: await both(async (k) => {
        const ids = await createGroups(
          db,
          `fan-out ${k}`,
          config.fanoutGroups.map((g) => fanout.slice(0, g)),
        );
        return Object.fromEntries(config.fanoutGroups.map((g, i) => [g, ids[i]]));
      }),
    },
    idle: await users('id', config.idle),
    history: { users: history, conversation: historyConversation },
    storm: {
      users: stormUsers,
      sender: stormSender,
      conversations: await both((k) => createGroups(db, `storm ${k}`, groupsOf10)),
    },
    presence: { user: presence },
  };
  await db.query('VACUUM ANALYZE');
  return fixtures;
}

const fmt = (v: number | null) =>
  v === null || Number.isNaN(v)
    ? '—'
    : Math.abs(v) >= 100
      ? Math.round(v).toLocaleString('en')
      : Math.abs(v) >= 10
        ? v.toFixed(1)
        : v.toFixed(2);

function table(rows: readonly Row[]): string {
  const lines = [
    '| scenario | metric | floor | server | server/floor | target | met |',
    '| --- | --- | ---: | ---: | ---: | --- | --- |',
  ];
  let previous = '';
  for (const r of rows) {
    const q = ratio(r);
    const met = r.met === undefined ? '' : r.met === null ? 'n/a' : r.met ? 'yes' : '**no**';
    lines.push(
      `| ${r.scenario === previous ? '' : r.scenario} | ${r.metric}${r.unit ? ` (${r.unit})` : ''} | ${fmt(r.floor)} | ${fmt(r.server)} | ${q === null ? '—' : `${q.toFixed(2)}×`} | ${r.target ?? ''} | ${met}${r.note ? ` ${r.note}` : ''} |`,
    );
    previous = r.scenario;
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => !(a in SCENARIOS));
  if (unknown.length) throw new Error(`unknown scenario(s): ${unknown.join(', ')}`);
  const selected = args.length ? args : Object.keys(SCENARIOS);
  const info = machine();
  // The instances inherit the limit: raise it before any is spawned (needs CAP_SYS_RESOURCE
  // beyond the hard limit). Where it cannot be raised, the idle scenario holds what fits: the
  // instance needs a few dozen descriptors besides its sockets (Redis, PostgreSQL, files).
  info.openFileLimit = raiseOpenFileLimit(Math.max(65_536, socketsNeeded(selected)));
  if (selected.includes('idle') && config.idle + 200 > info.openFileLimit) {
    const fits = Math.max(0, info.openFileLimit - 200);
    console.log(
      `open-file limit ${info.openFileLimit} (not raisable here): idle holds ${fits.toLocaleString('en')} connections, not ${config.idle.toLocaleString('en')}`,
    );
    config.idle = fits;
  }
  const needed = socketsNeeded(selected);
  if (info.openFileLimit < needed) {
    console.error(
      `The open-file limit is ${info.openFileLimit}, but this run holds about ${needed} sockets in one process. Raise it (e.g. \`ulimit -n 65536\`) or lower BENCH_IDLE / BENCH_STORM.`,
    );
    process.exit(2);
  }
  console.log(
    `bench: ${selected.join(', ')}${config.quick ? ' (quick)' : ''} on ${info.nproc} cores, ${info.cpuModel}, Node ${info.node}, open files ${info.openFileLimit}`,
  );

  const started = Date.now();
  const loadGenCpu = selfCpuMeter();
  const db = await createTestDatabase({ prefix: 'chat_bench', poolSize: 4 });
  const options: TargetOptions = {
    databaseUrl: db.url,
    redisUrl: REDIS_URL,
    redisPrefix: `bench${process.pid}:`,
    profile: config.profile,
  };
  const instances = {} as BenchContext['instances'];
  try {
    // The first server instance runs the migrations, so the fixtures have their tables.
    instances.server = await startInstances('server', options, 2);
    instances.floor = await startInstances('floor', options, 2);
    const fixtures = await makeFixtures({ db }, selected);
    const ctx: BenchContext = { db, options, instances, fixtures };
    const rows: Row[] = [];
    const details: Record<string, unknown> = {};
    for (const name of selected) {
      const t = Date.now();
      process.stdout.write(`${name} … `);
      // One scenario failing must not lose the others' figures: it is reported and recorded.
      let result: ScenarioResult;
      try {
        result = await SCENARIOS[name](ctx);
      } catch (error) {
        console.log(`failed: ${String(error)}`);
        details[name] = { error: String(error) };
        continue;
      }
      console.log(`${((Date.now() - t) / 1000).toFixed(0)} s`);
      rows.push(...result.rows);
      details[name] = result.detail;
    }
    const [{ server_version: pgVersion }] = await db.query('SHOW server_version');
    const seconds = (Date.now() - started) / 1000;
    const loadGenCpuS = loadGenCpu() / 1000;
    console.log(`\n${table(rows)}\n`);
    console.log(
      `load generator: ${loadGenCpuS.toFixed(1)} s CPU over ${seconds.toFixed(0)} s (${((loadGenCpuS / seconds) * 100).toFixed(0)}% of one core); PostgreSQL ${pgVersion}; load average ${info.loadAverageAtStart.toFixed(1)} at start, ${os.loadavg()[0].toFixed(1)} at end`,
    );
    const stamp = new Date().toISOString().slice(0, 16).replace(':', '-');
    const name = `${stamp}${args.length ? `-${selected.join('-')}` : ''}${config.quick ? '-quick' : ''}`;
    mkdirSync('bench/results', { recursive: true });
    const subtitle = `${stamp} · ${info.nproc} cores · Node ${info.node}${config.quick ? ' · quick' : ''}`;
    writeFileSync(`bench/results/${name}.svg`, chart(rows, subtitle));
    writeFileSync(
      `bench/results/${name}.json`,
      JSON.stringify(
        {
          date: new Date().toISOString(),
          machine: { ...info, postgres: pgVersion, loadAverageAtEnd: os.loadavg()[0] },
          config,
          seconds,
          loadGeneratorCpuSeconds: loadGenCpuS,
          rows: rows.map((r) => ({ ...r, ratio: ratio(r) })),
          details,
        },
        null,
        2,
      ) + '\n',
    );
    console.log(`wrote bench/results/${name}.json and .svg in ${seconds.toFixed(0)} s`);
  } finally {
    await stopAll([...(instances.server ?? []), ...(instances.floor ?? [])]);
    await db.drop();
    await removeRedisPrefix(options.redisPrefix, options.redisUrl);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
