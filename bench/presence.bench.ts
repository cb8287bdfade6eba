/**
 * Presence benchmark: what one status change costs in Redis and how many events it delivers, and
 * the CPU the renewals take. 2,000 users in groups of 10, on two in-process instances sharing a
 * private Redis (started here on a free port, so INFO commandstats counts only this run) and a
 * scratch PostgreSQL database. Prints numbers; not part of `npm test`.
 *
 *   npm run bench:presence        (needs PostgreSQL at TEST_DATABASE_ADMIN_URL, and redis-server on PATH)
 *
 * Phases: everyone connects and subscribes to presenceChanged (set-up); half disconnect (OFFLINE
 * changes); they reconnect (ONLINE changes); a quarter drop and reconnect within the grace period
 * (no change); then one instance's renewal of its 1,000 connections is timed.
 */
import 'reflect-metadata';
import type { Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import { PresenceClaimsService as PresenceService } from '../src/presence/presence-claims.service.js';
import { PresenceWatchers } from '../src/presence/presence.watchers.js';
import { startApp, type InProcessApp } from '../test/support/app.js';
import { createTestDatabase, type TestDatabase } from '../test/support/database.js';
import { startPrivateRedis } from '../test/support/redis-server.js';
import { sleep, until } from '../test/support/wait.js';
import { connectWs } from '../test/support/ws.js';
import { createGroups, createUsers } from './load/fixtures.load.js';

const USERS = 2000;
const GROUP = 10;
const GRACE_MS = 500;
const RENEWAL_ROUNDS = 20;

interface Person {
  index: number;
  id: string;
  token: string;
  app: number;
  client?: Client;
  online: number;
  offline: number;
}

/** Waits for `done()`, or fails the run: every phase's count depends on the one before. */
async function waitFor(done: () => boolean, ms: number): Promise<void> {
  if (!(await until(done, ms, 50))) throw new Error(`bench: condition not met in ${ms} ms`);
}

async function main(): Promise<void> {
  const redisServer = await startPrivateRedis();
  const redis = new Redis(redisServer.url);
  const apps: InProcessApp[] = [];
  let db: TestDatabase | undefined;
  try {
    db = await createTestDatabase({ prefix: 'chat_bench', poolSize: 4 });
    const env = {
      LOG_LEVEL: 'warn',
      DATABASE_URL: db.url,
      REDIS_URL: redisServer.url,
      REDIS_PREFIX: 'bench:',
      // Renewals are timed on their own below: keep them out of the per-change counts.
      PRESENCE_TTL_SECONDS: '600',
      PRESENCE_GRACE_MS: String(GRACE_MS),
    };
    // One after another: the first runs the migrations.
    for (let i = 0; i < 2; i++) apps.push(await startApp(env));
    const urls = apps.map((a) => a.wsUrl);
    const people = await seed(db);
    console.log(
      `presence bench: ${USERS} users in groups of ${GROUP}, 2 instances, grace ${GRACE_MS} ms`,
    );

    // Set-up: everyone connects (on alternating instances) and subscribes.
    await inBatches(people, (p) => connect(p, urls[p.app], true));
    const watchers = apps.map((a) => a.app.get(PresenceWatchers));
    await waitFor(() => people.every((p) => watchers.every((w) => w.isWatching(p.id))), 60_000);
    await sleep(2000); // streams sharing an already-heard channel may still be reading contacts

    const leavers = people.filter((p) => p.index % 2 === 0);
    const stayers = people.filter((p) => p.index % 2 === 1);
    const watchersPerChange = GROUP / 2; // a leaver's group holds 5 stayers

    // OFFLINE: half disconnect.
    let before = snapshot(stayers);
    let stats = await measure(redis, async () => {
      await Promise.all(leavers.map((p) => p.client!.dispose()));
      await waitFor(
        () => received(stayers, before).offline >= leavers.length * watchersPerChange,
        20_000,
      );
      await sleep(GRACE_MS + 1500); // anything extra would show now
    });
    report('disconnect → OFFLINE', leavers.length, stats, received(stayers, before).offline);

    // ONLINE: they come back (plain sockets: subscribing is not part of a status change).
    before = snapshot(stayers);
    stats = await measure(redis, async () => {
      await inBatches(leavers, (p) => connect(p, urls[p.app], false));
      await waitFor(
        () => received(stayers, before).online >= leavers.length * watchersPerChange,
        20_000,
      );
      await sleep(1500);
    });
    report('connect → ONLINE', leavers.length, stats, received(stayers, before).online);

    // Flaps: a quarter drop and reconnect within the grace period, on the other instance.
    const flappers = leavers.filter((p) => p.index % 4 === 0);
    before = snapshot(stayers);
    stats = await measure(redis, async () => {
      await Promise.all(flappers.map((p) => p.client!.dispose()));
      await inBatches(flappers, (p) => connect(p, urls[1 - p.app], false));
      await sleep(GRACE_MS + 2500);
    });
    const flapEvents = received(stayers, before);
    console.log(
      `\nflap within grace: ${flappers.length} users dropped and reconnected → ` +
        `${flapEvents.online + flapEvents.offline} events delivered (0 expected); ` +
        `${(stats.total / flappers.length).toFixed(1)} Redis commands per flap ` +
        `(${(stats.roundTrips / flappers.length).toFixed(2)} client calls)`,
    );

    await renewals(redis, apps[0].app.get(PresenceService));
  } finally {
    await Promise.allSettled(apps.map((a) => a.close()));
    redis.disconnect();
    await redisServer.stop();
    await db?.drop();
  }
}

/** Users, groups of GROUP consecutive users, and a token each. */
async function seed(db: TestDatabase): Promise<Person[]> {
  const users = await createUsers(db, 'bench_', USERS);
  const groups = [];
  for (let g = 0; g < USERS / GROUP; g++) groups.push(users.slice(g * GROUP, (g + 1) * GROUP));
  await createGroups(db, 'group', groups);
  return users.map((user, index) => ({ ...user, index, app: index % 2, online: 0, offline: 0 }));
}

async function connect(person: Person, url: string, watch: boolean): Promise<void> {
  const { client } = await connectWs(url, person.token);
  person.client = client;
  if (!watch) return;
  client.subscribe<{ presenceChanged: { status: string } }>(
    { query: 'subscription { presenceChanged { userId status lastSeenAt } }' },
    {
      next: ({ data }) => {
        if (data?.presenceChanged.status === 'ONLINE') person.online++;
        else person.offline++;
      },
      error: () => undefined,
      complete: () => undefined,
    },
  );
}

function snapshot(people: Person[]) {
  return received(people, { online: 0, offline: 0 });
}

function received(people: Person[], since: { online: number; offline: number }) {
  const sum = (k: 'online' | 'offline') => people.reduce((n, p) => n + p[k], 0) - since[k];
  return { online: sum('online'), offline: sum('offline') };
}

interface Stats {
  total: number;
  roundTrips: number;
  publishes: number;
  byCommand: Record<string, number>;
  subscriptions: number;
  ms: number;
}

/** Redis commands run while `work` runs (scripts' inner commands included), from INFO. */
async function measure(redis: Redis, work: () => Promise<void>): Promise<Stats> {
  await redis.config('RESETSTAT');
  const started = Date.now();
  await work();
  const ms = Date.now() - started;
  const info = await redis.info('commandstats');
  const byCommand: Record<string, number> = {};
  let subscriptions = 0;
  for (const [, name, calls] of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    if (name.startsWith('config') || name === 'info') continue;
    // Channels heard or dropped as subscribers come and go: not a cost of a status change.
    if (/^p?(un)?subscribe$/.test(name)) subscriptions += Number(calls);
    else byCommand[name] = Number(calls);
  }
  const total = Object.values(byCommand).reduce((a, b) => a + b, 0);
  const roundTrips = (byCommand.evalsha ?? 0) + (byCommand.eval ?? 0) + (byCommand.hmget ?? 0);
  return { total, roundTrips, publishes: byCommand.publish ?? 0, byCommand, subscriptions, ms };
}

function report(what: string, changes: number, stats: Stats, delivered: number): void {
  console.log(`\n${what}: ${changes} status changes in ${stats.ms} ms`);
  console.log(
    `  Redis commands per change: ${(stats.total / changes).toFixed(2)} in all, ` +
      `${(stats.roundTrips / changes).toFixed(2)} script calls from the instances, ` +
      `${(stats.publishes / changes).toFixed(2)} PUBLISH`,
  );
  console.log(`  (includes the background sweeps: 2 instances × 1/s during ${stats.ms} ms)`);
  console.log(`  by command: ${JSON.stringify(stats.byCommand)}`);
  console.log(`  (apart: ${stats.subscriptions} (P)(UN)SUBSCRIBE as subscribers left or came)`);
  console.log(
    `  events delivered per change: ${(delivered / changes).toFixed(2)} ` +
      `(watchers online per change: ${GROUP / 2})`,
  );
}

/** One instance renews its 1,000 connections RENEWAL_ROUNDS times; CPU here and in Redis. */
async function renewals(redis: Redis, presence: PresenceService): Promise<void> {
  const connections = (presence as unknown as { local: Map<string, string> }).local.size;
  // The renewal a timer runs every TTL/3; called directly so it can be timed.
  const renew = () => (presence as unknown as { renew(): Promise<void> }).renew();
  await renew();
  const cpuBefore = await redisCpu(redis);
  await redis.config('RESETSTAT');
  const usage = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let i = 0; i < RENEWAL_ROUNDS; i++) await renew();
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6 / RENEWAL_ROUNDS;
  const cpu = process.cpuUsage(usage);
  const appMs = (cpu.user + cpu.system) / 1000 / RENEWAL_ROUNDS;
  const redisMs = ((await redisCpu(redis)) - cpuBefore) / RENEWAL_ROUNDS;
  const info = await redis.info('commandstats');
  const evalshas = Number(/cmdstat_evalsha:calls=(\d+)/.exec(info)?.[1] ?? 0) / RENEWAL_ROUNDS;
  const per1000 = 1000 / connections;
  console.log(
    `\nrenewal of ${connections} connections on one instance (${RENEWAL_ROUNDS} rounds):`,
  );
  console.log(
    `  per 1,000 connections per renewal: ${(appMs * per1000).toFixed(1)} ms app CPU, ` +
      `${(redisMs * per1000).toFixed(1)} ms Redis CPU, ${(wallMs * per1000).toFixed(1)} ms wall, ` +
      `${(evalshas * per1000).toFixed(1)} script calls (one pipeline)`,
  );
  console.log(
    `  at the default TTL of 30 s (a renewal every 10 s): ` +
      `${((appMs * per1000) / 10).toFixed(2)} ms app CPU per second per 1,000 connections`,
  );
}

async function redisCpu(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const value = (k: string) => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return (value('used_cpu_user') + value('used_cpu_sys')) * 1000;
}

async function inBatches<T>(items: T[], run: (item: T) => Promise<void>, size = 100) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
