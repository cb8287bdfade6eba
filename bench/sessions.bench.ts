/**
 * npm run bench:sessions — what checking every request against ended sessions costs. The check
 * is a lookup in each instance's in-memory set of sessions revoked within the last access-token
 * lifetime (no database query per request). Two servers, each on a database of its own: one knows
 * no revoked session, the other 10,000 (read from its database at startup, as after a mass
 * logout). `{ me { id } }` over HTTP, alternating between the two so both see the same machine
 * noise. Goal: p50 moves by at most 5%.
 */
import { createTestDatabase } from '../test/support/database.js';
import { gqlOk, registerUser } from '../test/support/gql.js';
import { startInstance } from './load/targets.load.js';
import { ms, summarize } from './load/stats.load.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3000);
const REVOKED = Number(process.env.BENCH_REVOKED_SESSIONS ?? 10_000);
const ME = '{ me { id } }';

async function main(): Promise<void> {
  const dbs = await Promise.all([0, 1].map(() => createTestDatabase({ prefix: 'chat_bench' })));
  const servers: Awaited<ReturnType<typeof startInstance>>[] = [];
  try {
    const target = (i: number) => ({ databaseUrl: dbs[i].url, redisUrl: '', redisPrefix: '' });
    // Migrates the second database, then fills it before the server that reads it starts.
    const migrate = await startInstance('server', target(1));
    const owner = await registerUser(migrate.url, 'owner');
    await migrate.close();
    await dbs[1].query(
      `INSERT INTO sessions (id, user_id, refresh_token_hash, last_used_at, expires_at, revoked_at)
       SELECT gen_random_uuid(), $1, repeat('0', 64), now(), now() + interval '1 day', now()
         FROM generate_series(1, $2)`,
      [owner.id, REVOKED],
    );
    servers.push(
      await startInstance('server', target(0)),
      await startInstance('server', target(1)),
    );
    const users = await Promise.all(servers.map((s) => registerUser(s.url, 'alice')));
    const me = (i: number) => gqlOk(servers[i].url, ME, {}, users[i].token);
    const samples: number[][] = [[], []];
    for (let run = -300; run < RUNS; run++) {
      for (const i of [0, 1]) {
        const start = performance.now();
        await me(i);
        if (run >= 0) samples[i].push(performance.now() - start);
      }
    }
    const [empty, full] = samples.map(summarize);

    console.log(`\nsessions benchmark: ${RUNS} { me { id } } over HTTP per server, alternating`);
    console.log('| revoked sessions known | p50 | p99 | max |\n| --- | --- | --- | --- |');
    for (const [name, s] of [
      ['none', empty],
      [REVOKED.toLocaleString('en'), full],
    ] as const)
      console.log(`| ${name} | ${ms(s.p50)} | ${ms(s.p99)} | ${ms(s.max)} |`);
    const change = (full.p50 / empty.p50 - 1) * 100;
    console.log(`\np50 change: ${change >= 0 ? '+' : ''}${change.toFixed(1)}% (goal within ±5%)`);
  } finally {
    await Promise.all(servers.map((s) => s.close()));
    await Promise.all(dbs.map((db) => db.drop()));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
