/**
 * Starts real app instances for tests: in this process (fast, most tests) or as a child process
 * running the compiled server (for SIGKILL/SIGTERM and the embedded-database tests).
 */
import type { INestApplication } from '@nestjs/common';
import { spawn, type ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { closeApp, createApp } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config/app.config.js';
import { JWT_SECRET, REDIS_URL } from './env.js';

export interface RunningApp {
  url: string;
  wsUrl: string;
  port: number;
  close(): Promise<void>;
}

export interface InProcessApp extends RunningApp {
  app: INestApplication;
}

/** A Redis prefix of its own, so a test never hears another test (or an old run) on Redis. */
export function uniqueRedisPrefix(): string {
  return `test-${randomBytes(6).toString('hex')}:`;
}

/** Environment every test instance gets unless the test overrides it. */
export function testEnv(
  overrides: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
    JWT_SECRET,
    PORT: '0',
    HOST: '127.0.0.1',
    // Tests send in bursts; the limits have tests of their own that turn them on.
    RATE_LIMITS: 'off',
    ...overrides,
  };
}

/** Env for an instance sharing a database and a Redis namespace with its siblings. */
export function clusterEnv(
  databaseUrl: string,
  redisPrefix: string,
  overrides: Record<string, string> = {},
) {
  return testEnv({ DATABASE_URL: databaseUrl, REDIS_URL, REDIS_PREFIX: redisPrefix, ...overrides });
}

export async function startApp(env: Record<string, string | undefined>): Promise<InProcessApp> {
  const config = loadConfig(testEnv(env));
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    app,
    port,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    close: () => closeApp(app),
  };
}

export interface ChildApp extends RunningApp {
  process: ChildProcess;
  /** Everything the process printed, for diagnosing a failure. */
  output(): string;
  /** Resolves once the process has ended, with its exit code or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs `node dist/src/main.js` (compiled by the global setup) and waits until it listens. */
export async function spawnApp(
  env: Record<string, string | undefined>,
  timeoutMs = 30_000,
): Promise<ChildApp> {
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    // The startup line carries the port, so the child logs at info (captured, not printed).
    env: { PATH: process.env.PATH, ...testEnv(env), LOG_LEVEL: 'info' } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`app did not start:\n${output}`)), timeoutMs);
    const onData = () => {
      const match = /listening on port (\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`app exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
  return {
    process: child,
    port,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    output: () => output,
    exited,
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Counts the SQL queries an in-process app runs while `fn` runs (TypeORM logs every one). */
export async function countQueries<T>(
  app: InProcessApp,
  fn: () => Promise<T>,
): Promise<{ result: T; queries: number }> {
  const dataSource = app.app.get(DataSource);
  const logger = dataSource.logger;
  let queries = 0;
  (dataSource as { logger: typeof logger }).logger = new Proxy(logger, {
    get: (target, prop, receiver) =>
      prop === 'logQuery'
        ? (...args: unknown[]) => {
            queries++;
            return (target.logQuery as (...a: unknown[]) => void)(...args);
          }
        : Reflect.get(target, prop, receiver),
  });
  try {
    return { result: await fn(), queries };
  } finally {
    (dataSource as { logger: typeof logger }).logger = logger;
  }
}
