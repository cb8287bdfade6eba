/**
 * Per-unit costs, the inputs of the capacity plan (docs/capacity.md, bench/capacity.ts): server
 * CPU per send, per delivery and per idle connection; Redis commands per send and per presence
 * change; SQL statements and rows per send; bytes stored per message. One server instance (the
 * bench's build, NODE_ENV=production) on a scratch database and a private Redis (started here,
 * so INFO commandstats counts only this run). Prints a table and writes
 * bench/results/unit-costs.json, which `npm run capacity` reads.
 *
 *   npm run bench:units            (BENCH_QUICK=1 for a shorter run)
 *
 * CPU per send and per delivery come from two runs of the same sends: in groups of 2 (2
 * deliveries each, the sender's own device included) and of 200 (200 deliveries, so that they
 * outweigh the noise of a shared machine):
 * cpu = send + n × delivery, two equations, two unknowns. Redis commands per send are measured
 * in groups of 10, the plan's size. The idle connections' own cost (keep-
 * alive pings, presence renewals) is measured first and taken out of both.
 */
import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { countQueries, spawnApp, startApp } from '../test/support/app.js';
import { createTestDatabase } from '../test/support/database.js';
import { startPrivateRedis } from '../test/support/redis-server.js';
import { sleep, waitUntil } from '../test/support/wait.js';
import { BUILD_DIR } from './load/build.load.js';
import { connect, runPool, type BenchClient } from './load/clients.load.js';
import { createGroups, createUsers, type BenchUser } from './load/fixtures.load.js';
import { cpuMs } from './load/proc.load.js';

const run = promisify(execFile);
const quick = Boolean(process.env.BENCH_QUICK);
const IDLE = quick ? 1000 : 3000;
const WINDOW_S = quick ? 10 : 20;
/** The two group sizes whose sends separate a send's own CPU from a delivery's. */
const SMALL = 2;
const LARGE = 200;
/** Groups sending at once: GROUPS of SMALL or 10 members, LARGE_GROUPS of LARGE. */
const LARGE_GROUPS = 4;
const SENDS = quick ? 300 : 1000;
const PRESENCE_USERS = quick ? 100 : 300;
const GROUPS = 20;

async function commandCalls(redis: Redis): Promise<Record<string, number>> {
  const info = await redis.info('commandstats');
  const calls: Record<string, number> = {};
  for (const m of info.matchAll(/cmdstat_([\w|]+):calls=(\d+)/g)) calls[m[1]] = Number(m[2]);
  return calls;
}

/** Commands Redis ran while `fn` ran (scripts count once, and so do the commands inside them). */
async function redisDuring(redis: Redis, fn: () => Promise<void>) {
  const before = await commandCalls(redis);
  const started = Date.now();
  await fn();
  const after = await commandCalls(redis);
  const diff: Record<string, number> = {};
  for (const [name, n] of Object.entries(after)) {
    const d = n - (before[name] ?? 0) - (name === 'info' ? 1 : 0);
    if (d > 0) diff[name] = d;
  }
  return { diff, seconds: (Date.now() - started) / 1000 };
}

const total = (diff: Record<string, number>, names?: string[]) =>
  Object.entries(diff)
    .filter(([name]) => !names || names.includes(name))
    .reduce((sum, [, n]) => sum + n, 0);
/** Client round trips: what an app sends (the rest runs inside its scripts). */
const CLIENT_COMMANDS = [
  'evalsha',
  'eval',
  'publish',
  'spublish',
  'hmget',
  'subscribe',
  'unsubscribe',
  'ssubscribe',
  'sunsubscribe',
  'ping',
];

async function main() {
  const db = await createTestDatabase({ prefix: 'chat_bench', poolSize: 4 });
  const redisServer = await startPrivateRedis();
  const redis = new Redis(redisServer.url);
  const env = {
    NODE_ENV: 'production',
    DATABASE_URL: db.url,
    REDIS_URL: redisServer.url,
    REDIS_PREFIX: 'units:',
    RATE_LIMITS: 'off',
    PRESENCE_GRACE_MS: '500',
  };
  const server = await spawnApp(env, { script: `${BUILD_DIR}/src/main.js`, keepOutput: false });
  const clients: BenchClient[] = [];
  const open = async (users: readonly BenchUser[]) => {
    const opened = await runPool(users.length, 50, (i) =>
      connect('server', server.wsUrl, users[i].token),
    );
    clients.push(...opened);
    return opened;
  };
  const cpuDuring = async (fn: () => Promise<void>) => {
    const start = cpuMs(server.pid);
    const t = Date.now();
    await fn();
    return { cpuMs: cpuMs(server.pid) - start, seconds: (Date.now() - t) / 1000 };
  };
  try {
    // Idle: the process alone, then with IDLE connections subscribed to messageAdded.
    await sleep(2000);
    const bare = await cpuDuring(() => sleep(WINDOW_S * 1000));
    const idleUsers = await createUsers(db, 'idle', IDLE);
    for (const c of await open(idleUsers)) c.subscribe();
    await sleep(3000);
    let idleRedis = { diff: {} as Record<string, number>, seconds: 1 };
    const idle = await cpuDuring(async () => {
      idleRedis = await redisDuring(redis, () => sleep(WINDOW_S * 1000));
    });
    const idleCpuPerConnS = (idle.cpuMs / idle.seconds - bare.cpuMs / bare.seconds) / IDLE;
    const idleCpuPerS = idle.cpuMs / idle.seconds;
    const idleRedisPerConnS = total(idleRedis.diff, CLIENT_COMMANDS) / idleRedis.seconds / IDLE;

    // Sends in groups of `size`, every member connected and subscribed.
    const sendRun = async (size: number, groups = GROUPS) => {
      const users = await createUsers(db, `g${size}-`, groups * size);
      const lists = Array.from({ length: groups }, (_, g) => users.slice(g * size, (g + 1) * size));
      const conversations = await createGroups(db, `g${size}`, lists);
      const members = await open(users);
      let delivered = 0;
      const live = new Set<BenchClient>();
      for (const c of members) {
        c.onDelivery = () => (delivered++, live.add(c));
        c.subscribe();
      }
      // Warm-up until every subscription is live (they start asynchronously).
      for (let round = 0; live.size < members.length; round++) {
        if (round > 100) throw new Error(`only ${live.size} of ${members.length} went live`);
        await Promise.all(conversations.map((id, g) => members[g * size].send(id, 'warm')));
        await sleep(200);
      }
      await sleep(300);
      delivered = 0;
      const [stats0] = await db.query(
        `SELECT xact_commit, tup_inserted, tup_updated, tup_fetched FROM pg_stat_database WHERE datname = current_database()`,
      );
      let redisUse = { diff: {} as Record<string, number>, seconds: 1 };
      const cpu = await cpuDuring(async () => {
        redisUse = await redisDuring(redis, async () => {
          const perGroup = SENDS / groups;
          await Promise.all(
            conversations.map(async (id, g) => {
              for (let i = 0; i < perGroup; i++) await members[g * size].send(id, `m${i}`);
            }),
          );
          await waitUntil(() => delivered >= SENDS * size, 'every delivery', 60_000);
        });
      });
      // Backends report their statistics about once a second.
      await sleep(1500);
      const [stats1] = await db.query(
        `SELECT xact_commit, tup_inserted, tup_updated, tup_fetched FROM pg_stat_database WHERE datname = current_database()`,
      );
      for (const c of members) c.close();
      const busyCpu = cpu.cpuMs - idleCpuPerS * cpu.seconds;
      return {
        cpuMsPerSend: busyCpu / SENDS,
        sendsPerSecond: SENDS / cpu.seconds,
        redisPerSend: total(redisUse.diff, CLIENT_COMMANDS) / SENDS,
        redisDetail: redisUse.diff,
        // pg_stat_database counts are per transaction commit, reported with a small delay.
        pg: {
          commitsPerSend: (Number(stats1.xact_commit) - Number(stats0.xact_commit)) / SENDS,
          rowsInsertedPerSend: (Number(stats1.tup_inserted) - Number(stats0.tup_inserted)) / SENDS,
          rowsUpdatedPerSend: (Number(stats1.tup_updated) - Number(stats0.tup_updated)) / SENDS,
        },
      };
    };
    const pairs = await sendRun(SMALL);
    const tens = await sendRun(10);
    const large = await sendRun(LARGE, LARGE_GROUPS);
    const cpuPerDelivery = (large.cpuMsPerSend - pairs.cpuMsPerSend) / (LARGE - SMALL);
    const cpuPerSend = pairs.cpuMsPerSend - SMALL * cpuPerDelivery;

    // Presence: fresh users connect (ONLINE) and leave (OFFLINE after the grace), nobody else
    // moving; the sweep's own polling over the same time is taken out.
    const presenceUsers = await createUsers(db, 'p', PRESENCE_USERS);
    const ids = presenceUsers.map((u) => u.id);
    const presence = await redisDuring(redis, async () => {
      const opened = await open(presenceUsers);
      await sleep(500);
      for (const c of opened) c.close();
      await waitUntil(
        async () => {
          const [row] = await db.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM users WHERE id = ANY($1) AND last_seen_at IS NOT NULL',
            [ids],
          );
          return row.n === PRESENCE_USERS;
        },
        'every user OFFLINE',
        60_000,
      );
    });
    const idleRate = total(idleRedis.diff, CLIENT_COMMANDS) / idleRedis.seconds;
    const redisPerPresenceChange =
      (total(presence.diff, CLIENT_COMMANDS) - idleRate * presence.seconds) / (2 * PRESENCE_USERS);

    // Storage: what the messages table and its indexes hold per message now.
    const [size] = await db.query<{ bytes: string; n: string }>(
      `SELECT pg_total_relation_size('messages') AS bytes, (SELECT count(*) FROM messages) AS n`,
    );
    const bytesPerMessage = Number(size.bytes) / Number(size.n);

    for (const c of clients) c.terminate();
    await server.close();

    // What one Redis core takes of the commands a send is made of: PUBLISH of a message-sized
    // payload, pipelined 10 deep as a group's are, to a channel someone listens on.
    const listener = new Redis(redisServer.url);
    await listener.subscribe('units:capacity');
    const { stdout } = await run('redis-benchmark', [
      '-p',
      String(redisServer.port),
      '-n',
      quick ? '50000' : '200000',
      '-c',
      '20',
      '-P',
      '10',
      '-q',
      'PUBLISH',
      'units:capacity',
      'x'.repeat(600),
    ]);
    listener.disconnect();
    const redisCommandsPerSecondOneCore = Number(/([\d.]+) requests per second/.exec(stdout)?.[1]);

    // SQL statements of one send, counted by TypeORM's logger in an app of this process.
    const app = await startApp({ ...env, NODE_ENV: 'test', DATABASE_URL: db.url });
    const [a, b] = await createUsers(db, 'sql', 2);
    const [conversation] = await createGroups(db, 'sql', [[a, b]]);
    const sender = await connect('server', app.wsUrl, a.token);
    await sender.send(conversation, 'warm');
    const { queries } = await countQueries(app, async () => {
      for (let i = 0; i < 20; i++) await sender.send(conversation, `q${i}`);
    });
    sender.terminate();
    await app.close();

    const result = {
      measuredAt: new Date().toISOString(),
      machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
      knobs: { IDLE, WINDOW_S, SENDS, GROUPS, SMALL, LARGE, LARGE_GROUPS, PRESENCE_USERS },
      cpuMsPerSend: round(cpuPerSend),
      cpuMsPerDelivery: round(cpuPerDelivery),
      cpuMsPerIdleConnectionPerSecond: round(idleCpuPerConnS, 5),
      redisCommandsPerSend: {
        groupOf2: round(pairs.redisPerSend),
        groupOf10: round(tens.redisPerSend),
      },
      redisCommandsPerPresenceChange: round(redisPerPresenceChange),
      redisCommandsPerIdleConnectionPerSecond: round(idleRedisPerConnS, 4),
      redisCommandsPerSecondOneCore: Math.round(redisCommandsPerSecondOneCore),
      sqlStatementsPerSend: round(queries / 20),
      pgPerSend: tens.pg,
      bytesPerStoredMessage: Math.round(bytesPerMessage),
      sendsPerSecondOneInstance: {
        groupOf2: round(pairs.sendsPerSecond),
        groupOf10: round(tens.sendsPerSecond),
        [`groupOf${LARGE}`]: round(large.sendsPerSecond),
      },
      detail: { pairs: pairs.redisDetail, tens: tens.redisDetail, presence: presence.diff },
    };
    await mkdir('bench/results', { recursive: true });
    await writeFile('bench/results/unit-costs.json', JSON.stringify(result, null, 2) + '\n');
    console.table({
      'CPU per send (ms)': result.cpuMsPerSend,
      'CPU per delivery (ms)': result.cpuMsPerDelivery,
      'CPU per idle connection (ms/s)': result.cpuMsPerIdleConnectionPerSecond,
      'Redis commands per send, group of 10': result.redisCommandsPerSend.groupOf10,
      'Redis commands per presence change': result.redisCommandsPerPresenceChange,
      'Redis commands per idle connection per s': result.redisCommandsPerIdleConnectionPerSecond,
      'Redis PUBLISHes/s one core takes': result.redisCommandsPerSecondOneCore,
      'SQL statements per send': result.sqlStatementsPerSend,
      'rows inserted per send': round(result.pgPerSend.rowsInsertedPerSend),
      'bytes stored per message': result.bytesPerStoredMessage,
      'sends/s, one instance, groups of 10': result.sendsPerSecondOneInstance.groupOf10,
    });
    console.log('wrote bench/results/unit-costs.json; npm run capacity turns it into the plan');
  } finally {
    for (const c of clients) c.terminate();
    await server.close().catch(() => undefined);
    redis.disconnect();
    await redisServer.stop();
    await db.drop();
  }
}

const round = (n: number, digits = 3) => Number(n.toFixed(digits));

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
