/**
 * The two systems under test, each as a pair of instances sharing one PostgreSQL database and one
 * Redis: the floor (bench/floor/floor.server.ts) and the real server, both run from the bench's
 * own build (BUILD_DIR) as plain node processes.
 */
import { spawnApp, type ChildApp } from '../../test/support/app.js';
import { BUILD_DIR } from './build.load.js';

export type Kind = 'floor' | 'server';

const SCRIPTS: Record<Kind, string> = {
  // BENCH_SERVER_SCRIPT: another build of the server (a copy of BUILD_DIR made before a change),
  // for a before/after on the same machine minutes apart.
  server: process.env.BENCH_SERVER_SCRIPT || `${BUILD_DIR}/src/main.js`,
  floor: `${BUILD_DIR}/bench/floor/floor.server.js`,
};

export interface TargetOptions {
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  /** Write V8 CPU profiles of every instance to bench/profiles/<kind>/ (node --cpu-prof). */
  profile?: boolean;
}

/** Floor and server use their own channel prefixes: neither hears the other's traffic. */
export const prefixOf = (options: TargetOptions, kind: Kind) =>
  `${options.redisPrefix}${kind === 'floor' ? 'f' : 's'}:`;

/**
 * The server's runtime flags, as `npm start`, `start:prod` and the Docker image run it: a young
 * generation large enough that a send's garbage dies in it ("Round four" in bench/README.md).
 */
const SERVER_NODE_FLAGS = ['--max-semi-space-size=64'];

/** Starts one instance of `kind`; `nodeArgs` go to its node (before the script). */
export function startInstance(
  kind: Kind,
  options: TargetOptions,
  nodeArgs: readonly string[] = [],
): Promise<ChildApp> {
  return spawnApp(
    {
      NODE_ENV: 'production',
      DATABASE_URL: options.databaseUrl,
      REDIS_URL: options.redisUrl,
      REDIS_PREFIX: prefixOf(options, kind),
      DATABASE_POOL_SIZE: '10',
      // Shorter than the default 5 s so the presence check settles quickly; no effect otherwise.
      ...(kind === 'server' ? { PRESENCE_GRACE_MS: '1000' } : {}),
    },
    {
      script: SCRIPTS[kind],
      nodeArgs: [
        ...(options.profile ? ['--cpu-prof', `--cpu-prof-dir=bench/profiles/${kind}`] : []),
        ...(kind === 'server' ? SERVER_NODE_FLAGS : []),
        ...nodeArgs,
      ],
      // The bench must not pay for collecting log lines.
      keepOutput: false,
    },
  );
}

/** `count` instances of `kind`, started one after another (boots compete for 2 cores). */
export async function startInstances(
  kind: Kind,
  options: TargetOptions,
  count: number,
): Promise<ChildApp[]> {
  const instances: ChildApp[] = [];
  for (let i = 0; i < count; i++) instances.push(await startInstance(kind, options));
  return instances;
}

export const stopAll = (instances: readonly ChildApp[]) =>
  Promise.all(instances.map((i) => i.close()));

/**
 * One production server on `databaseUrl`, without Redis and with every limit off: what the
 * single-feature benches (changes, read state) measure is the cost of the work, not of the limits.
 * `env` adds to or overrides that (the receipts bench fans out through Redis).
 */
export function startSoloServer(
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<ChildApp> {
  return spawnApp(
    {
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      REDIS_URL: '',
      DATABASE_POOL_SIZE: '10',
      RATE_LIMITS: 'off',
      ...env,
    },
    { script: SCRIPTS.server, keepOutput: false },
  );
}
