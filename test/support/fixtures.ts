/**
 * Per-file test fixtures: each registers its own setup and teardown hooks, and whatever it makes
 * (a database, a Redis prefix, app instances, sockets) it also removes. Call them at the top of a
 * file or a `describe`; the objects they return are filled in before the first test runs.
 * After-hooks run in reverse order, so what a fixture builds on is removed after it.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startApp, testEnv, type Env, type InProcessApp, type RunningApp } from './app.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { REDIS_URL } from './env.js';
import { registerUsers, type TestUser } from './gql.js';
import { removeRedisPrefix, uniqueRedisPrefix } from './redis.js';
import { startRedisCluster, type RedisCluster } from './redis-cluster.js';
import { startPrivateRedis, type PrivateRedis } from './redis-server.js';
import { connectWs, type WsClient } from './ws.js';

/** A fresh database for this file (or describe), dropped when it ends. */
export function useDatabase(): TestDatabase {
  const db = {} as TestDatabase;
  beforeAll(async () => {
    Object.assign(db, await createTestDatabase());
  });
  afterAll(async () => {
    if (db.drop) await db.drop();
  });
  return db;
}

/** A Redis prefix of this file's own; every key under it is removed when the file ends. */
export function useRedisPrefix(): string {
  const prefix = uniqueRedisPrefix();
  afterAll(async () => {
    await removeRedisPrefix(prefix);
  });
  return prefix;
}

/**
 * A Redis server of this file's (or describe's) own, for tests that stop and restart it; killed
 * when it ends, after the apps that use it (call it before their useApp).
 */
export function usePrivateRedis(): PrivateRedis {
  const redis = {} as PrivateRedis;
  beforeAll(async () => {
    Object.assign(redis, await startPrivateRedis());
  });
  afterAll(async () => {
    await redis.stop?.();
  });
  return redis;
}

/**
 * A Redis Cluster of this file's (or describe's) own (three masters, three replicas: see
 * redis-cluster.ts), stopped and removed when it ends; call it before the useApp that uses it.
 */
export function useRedisCluster(): RedisCluster {
  const cluster = {} as RedisCluster;
  beforeAll(async () => {
    Object.assign(cluster, await startRedisCluster());
  }, 60_000);
  afterAll(async () => {
    await cluster.stop?.();
  });
  return cluster;
}

/** Users registered through the API on `app` before the first test, one per name, in order. */
export function useUsers(app: RunningApp, names: string[]): TestUser[] {
  const users = names.map(() => ({}) as TestUser);
  beforeAll(async () => {
    (await registerUsers(app.url, names)).forEach((user, i) => Object.assign(users[i], user));
  });
  return users;
}

export interface AppOptions {
  /** Settings for every instance; a function gets the database URL once it exists. */
  env?: Env | ((databaseUrl: string) => Env);
  /** Run on this database (from useDatabase) instead of a fresh one of the app's own. */
  db?: TestDatabase;
  /** The shared Redis under a prefix of its own (always so for two instances); else in-process. */
  redis?: boolean;
}

export interface ClusterOptions extends AppOptions {
  instances: 2;
  /** Settings for one instance (0 or 1) only, on top of `env`. */
  each?: (index: number) => Env;
}

export interface AppFixture {
  db: TestDatabase;
  app: InProcessApp;
  /** The settings the instances run with: spawn a sibling with them to join the cluster. */
  env: Env;
}

export interface ClusterFixture extends AppFixture {
  /** Two instances on one database and one Redis prefix (`app` is the first). */
  apps: [InProcessApp, InProcessApp];
}

/**
 * A fresh database and one app on it (the default), or two instances that share the database
 * and a Redis prefix and deliver to each other (`instances: 2`), started at once as a
 * deployment's instances are. Closed, dropped and removed when the file (or describe) ends.
 */
export function useApp(options: ClusterOptions): ClusterFixture;
export function useApp(options?: AppOptions | ((databaseUrl: string) => Env)): AppFixture;
export function useApp(
  input: AppOptions | ClusterOptions | ((databaseUrl: string) => Env) = {},
): AppFixture | ClusterFixture {
  const options: AppOptions & Partial<ClusterOptions> =
    typeof input === 'function' ? { env: input } : input;
  const count = options.instances ?? 1;
  const db = options.db ?? useDatabase();
  const prefix = options.redis || count > 1 ? useRedisPrefix() : undefined;
  const apps = Array.from({ length: count }, () => ({}) as InProcessApp);
  const env: Env = {};
  beforeAll(async () => {
    const extra = typeof options.env === 'function' ? options.env(db.url) : options.env;
    Object.assign(
      env,
      testEnv({
        DATABASE_URL: db.url,
        ...(prefix ? { REDIS_URL, REDIS_PREFIX: prefix } : {}),
        ...extra,
      }),
    );
    const started = await Promise.all(
      apps.map((_, i) => startApp({ ...env, ...options.each?.(i) })),
    );
    started.forEach((app, i) => Object.assign(apps[i], app));
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close?.()));
  });
  return count > 1
    ? { db, app: apps[0], apps: apps as [InProcessApp, InProcessApp], env }
    : { db, app: apps[0], env };
}

/**
 * Work to undo after each test (sockets, processes, servers a test opened), run whatever
 * happened, latest first: `defer(() => thing.close())`.
 */
export function useCleanups(): (cleanup: () => unknown) => void {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await Promise.resolve()
        .then(cleanup)
        .catch(() => undefined);
    }
  });
  return (cleanup) => void cleanups.push(cleanup);
}

/**
 * Opens graphql-ws connections as `user` on an app (waiting for connection_ack), and closes each
 * after the test that opened it.
 */
export function useSockets(): (app: RunningApp, user: TestUser) => Promise<WsClient> {
  const defer = useCleanups();
  return async (app, user) => {
    const ws = await connectWs(app.wsUrl, user.token);
    defer(() => ws.dispose());
    return ws;
  };
}
