/**
 * npm run bench:push — issue 17's push costs, each beside its baseline in the same run:
 *  - throughput of one push worker (APP_ROLE=worker, PUSH_CONCURRENCY 16) draining BENCH_PUSHES
 *    due jobs to the local HTTPS push service (test/support/push-service.ts, which decrypts and
 *    checks every push as a browser would), against web-push alone (the same encryption, VAPID
 *    header and HTTPS requests from this process at the same concurrency, no database);
 *  - sendMessage p50/p99 over HTTP in 10-member groups where every other member has a device,
 *    with push on (a job per member made after the commit) against push off. Goal p99 ≤ 1.1×.
 * Both servers are production processes on one database; the "on" one has a delay of an hour,
 * so its sends are measured without pushes going out meanwhile.
 */
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import webpush from 'web-push';
import { spawnApp, type ChildApp } from '../test/support/app.js';
import { createTestDatabase } from '../test/support/database.js';
import { gqlOk } from '../test/support/gql.js';
import { startPushService, type Subscription } from '../test/support/push-service.js';
import { waitUntil } from '../test/support/wait.js';
import { BUILD_DIR } from './load/build.load.js';
import { createGroups, createUsers } from './load/fixtures.load.js';
import { ms, summarize, type Summary } from './load/stats.load.js';

const PUSHES = Number(process.env.BENCH_PUSHES ?? 2_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 300);
const CONCURRENCY = 16;
const GROUPS = 50;
const SEND = `mutation($c: ID!, $t: String!) { sendMessage(input: { conversationId: $c, text: $t }) { seq } }`;

const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

async function main(): Promise<void> {
  const db = await createTestDatabase({ prefix: 'chat_bench', poolSize: 4 });
  const vapid = webpush.generateVAPIDKeys();
  const service = await startPushService(vapid.publicKey);
  const pushEnv = {
    NODE_ENV: 'production',
    DATABASE_URL: db.url,
    REDIS_URL: '',
    RATE_LIMITS: 'off',
    WEB_PUSH_VAPID_PUBLIC_KEY: vapid.publicKey,
    WEB_PUSH_VAPID_PRIVATE_KEY: vapid.privateKey,
    WEB_PUSH_SUBJECT: 'mailto:bench@example.com',
    WEB_PUSH_ENDPOINT_HOSTS: '127.0.0.1',
    NODE_EXTRA_CA_CERTS: service.caFile,
  };
  const spawn = (env: Record<string, string>) =>
    spawnApp({ ...pushEnv, ...env }, { script: `${BUILD_DIR}/src/main.js`, keepOutput: false });
  const servers: ChildApp[] = [];
  try {
    // Push off; started first, it also migrates the scratch database.
    const off = await spawn({
      APP_ROLE: 'api',
      WEB_PUSH_VAPID_PUBLIC_KEY: '',
      WEB_PUSH_VAPID_PRIVATE_KEY: '',
      WEB_PUSH_SUBJECT: '',
    });
    servers.push(off);
    // The worker's jobs: PUSHES (recipient, message) pairs, each recipient with one device.
    const [sender] = await createUsers(db, 'sender', 1);
    const recipients = await createUsers(db, 'away', 100);
    const [conversation] = await createGroups(db, 'push', [[sender, ...recipients]]);
    const perRecipient = Math.ceil(PUSHES / recipients.length);
    const subscriptions = recipients.map(() => service.subscribe());
    await insertDevices(
      db,
      recipients.map((r) => r.id),
      subscriptions,
    );
    const messages = await db.query<{ id: string }>(
      `INSERT INTO messages (conversation_id, seq, sender_id, text, created_at, event_seq)
       SELECT $1, g, $2, 'bench push ' || g, now(), g FROM generate_series(1, $3) g RETURNING id`,
      [conversation, sender.id, perRecipient],
    );
    await db.query(`UPDATE conversations SET last_seq = $2, last_event_seq = $2 WHERE id = $1`, [
      conversation,
      perRecipient,
    ]);
    await db.query(
      `INSERT INTO push_jobs (user_id, message_id, run_at)
       SELECT r, m, now() FROM unnest($1::uuid[]) r, unnest($2::uuid[]) m LIMIT $3`,
      [recipients.map((r) => r.id), messages.map((m) => m.id), PUSHES],
    );

    // Baseline: web-push alone, from this process, the same number of pushes.
    // This process trusts the service's certificate through the agent (the servers: NODE_EXTRA_CA_CERTS).
    const agent = new Agent({ keepAlive: true, maxSockets: 64, ca: readFileSync(service.caFile) });
    let next = 0;
    let started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < PUSHES) {
          const i = next++;
          const sub = subscriptions[i % subscriptions.length].input;
          await webpush.sendNotification(
            { endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } },
            JSON.stringify({
              conversationId: conversation,
              messageId: 'm',
              seq: i,
              senderName: 'Bench',
              text: `baseline ${i}`,
            }),
            { vapidDetails: { subject: 'mailto:bench@example.com', ...vapid }, TTL: 86400, agent },
          );
        }
      }),
    );
    const baselineRate = PUSHES / ((performance.now() - started) / 1000);
    agent.destroy();
    const before = service.received.length;

    // One worker draining the jobs (its start is not timed).
    const worker = await spawn({ APP_ROLE: 'worker', PUSH_CONCURRENCY: String(CONCURRENCY) });
    servers.push(worker);
    started = performance.now();
    await waitUntil(
      () => service.received.length - before >= PUSHES,
      'the worker’s pushes',
      600_000,
      5,
    );
    const workerRate = PUSHES / ((performance.now() - started) / 1000);
    await worker.close();

    // Sends with push off and on, in 10-member groups whose other members all have a device.
    const members = await createUsers(db, 'member', 9 * GROUPS);
    const groupSenders = await createUsers(db, 'groupsender', GROUPS);
    const groups = await createGroups(
      db,
      'send',
      groupSenders.map((s, i) => [s, ...members.slice(i * 9, i * 9 + 9)]),
    );
    await insertDevices(
      db,
      members.map((m) => m.id),
      members.map(() => service.subscribe()),
    );
    const on = await spawn({ APP_ROLE: 'api', PUSH_DELAY_SECONDS: '3600' });
    servers.push(on);
    let sends = 0;
    const send = (server: ChildApp) => () => {
      const n = sends++;
      return gqlOk(
        server.url,
        SEND,
        { c: groups[n % GROUPS], t: `send ${n}` },
        groupSenders[n % GROUPS].token,
      );
    };
    // Interleaved, one send to each in turn, so drift on a shared machine hits both alike.
    for (let i = 0; i < 20; i++) await Promise.all([send(off)(), send(on)()]);
    const samples = { off: [] as number[], on: [] as number[] };
    for (let i = 0; i < RUNS; i++) {
      for (const [name, server] of [
        ['off', off],
        ['on', on],
      ] as const) {
        const start = performance.now();
        await send(server)();
        samples[name].push(performance.now() - start);
      }
    }
    const results: Record<string, Summary> = {
      'push off (baseline)': summarize(samples.off),
      'push on': summarize(samples.on),
    };
    const [{ jobs }] = await db.query<{ jobs: number }>(
      `SELECT count(*)::int AS jobs FROM push_jobs j JOIN messages m ON m.id = j.message_id
        WHERE m.conversation_id = ANY($1::uuid[])`,
      [groups],
    );

    const [{ server_version: pgVersion }] = await db.query('SHOW server_version');
    console.log(`\npush benchmark: PostgreSQL ${pgVersion}, local HTTPS push service (decrypting)`);
    console.log(`\n${PUSHES.toLocaleString('en')} pushes, concurrency ${CONCURRENCY}`);
    console.log('| sender | pushes/s |\n| --- | --- |');
    console.log(`| web-push alone, no database (baseline) | ${baselineRate.toFixed(0)} |`);
    console.log(
      `| one push worker (claim, re-check, mark, push, delete) | ${workerRate.toFixed(0)} |`,
    );
    console.log(`worker/baseline: ${ratio(workerRate, baselineRate)}`);
    console.log(
      `\n${RUNS} sendMessage over HTTP to each server, interleaved, 10-member groups (9 devices per send)`,
    );
    console.log('| push | p50 | p99 | max |\n| --- | --- | --- | --- |');
    for (const [name, s] of Object.entries(results))
      console.log(`| ${name} | ${ms(s.p50)} | ${ms(s.p99)} | ${ms(s.max)} |`);
    const base = results['push off (baseline)'];
    const withPush = results['push on'];
    console.log(
      `on/off: p50 ${ratio(withPush.p50, base.p50)}, p99 ${ratio(withPush.p99, base.p99)} (goal p99 ≤ 1.1×); jobs made by the "on" sends: ${jobs}`,
    );
    if (service.problems.length > 0)
      console.log(`push service problems: ${service.problems.length}`);
  } finally {
    await Promise.all(servers.map((s) => s.close()));
    await service.close();
    await db.drop();
  }
}

async function insertDevices(
  db: Awaited<ReturnType<typeof createTestDatabase>>,
  userIds: string[],
  subscriptions: Subscription[],
): Promise<void> {
  await db.query(
    `INSERT INTO push_devices (user_id, kind, endpoint, p256dh, auth)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[])`,
    [
      userIds,
      userIds.map(() => 'WEB_PUSH'),
      subscriptions.map((s) => s.input.endpoint),
      subscriptions.map((s) => s.input.p256dh),
      subscriptions.map((s) => s.input.auth),
    ],
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
