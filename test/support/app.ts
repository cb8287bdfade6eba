/**
 * Starts real app instances for tests: in this process (fast, most tests) or as a child process
 * running the compiled server (for SIGKILL/SIGTERM and the embedded-database tests).
 */
import type { INestApplication } from '@nestjs/common';
import { spawn, type ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { closeApp, createApp } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config/app.config.js';
import { JWT_SECRET } from './env.js';

export interface RunningApp {
  url: string;
  wsUrl: string;
  port: number;
  close(): Promise<void>;
}

export interface InProcessApp extends RunningApp {
  app: INestApplication;
}

/** Settings for an instance, as environment variables (undefined: not set). */
export type Env = Record<string, string | undefined>;

/** Environment every test instance gets unless the test overrides it. */
export function testEnv(overrides: Env = {}): Env {
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

export async function startApp(env: Env): Promise<InProcessApp> {
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
  pid: number;
  /** Everything the process printed (until it listened, with `keepOutput: false`). */
  output(): string;
  /** Resolves once the process has ended, with its exit code or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface SpawnOptions {
  /** The script node runs: the compiled server by default (built by the global setup). */
  script?: string;
  /** Arguments for node itself, before the script (say, --cpu-prof). */
  nodeArgs?: string[];
  timeoutMs?: number;
  /**
   * Keep collecting what it prints after it listens (default). A benchmark turns this off: the
   * pipes are still drained, but it must not pay for piling up log lines.
   */
  keepOutput?: boolean;
  /**
   * Where it runs: a NODE_ENV=development instance writes schema.gql (and reads web/dist) under
   * its working directory, which must not be the repository's in a test.
   */
  cwd?: string;
}

/**
 * Runs `node <script>` with the test environment plus `env`, and waits until it prints
 * "listening on port N". Closing sends SIGTERM and waits for the exit.
 */
export async function spawnApp(
  env: Env,
  {
    script = 'dist/src/main.js',
    nodeArgs = [],
    timeoutMs = 30_000,
    keepOutput = true,
    cwd,
  }: SpawnOptions = {},
): Promise<ChildApp> {
  const child = spawn(process.execPath, [...nodeArgs, resolve(script)], {
    cwd,
    // The startup line carries the port, so the child logs at info (captured, not printed).
    env: { PATH: process.env.PATH, ...testEnv(env), LOG_LEVEL: 'info' } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (d: Buffer) => (output += d.toString());
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`app did not start:\n${output}`)), timeoutMs);
    const onData = () => {
      const match = /listening on port (\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`app exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
  if (!keepOutput) {
    for (const stream of [child.stdout!, child.stderr!]) {
      stream.off('data', collect);
      stream.resume();
    }
  }
  return {
    process: child,
    pid: child.pid!,
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
