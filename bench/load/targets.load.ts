/**
 * The two systems under test, each as a pair of instances sharing one PostgreSQL database and one
 * Redis: the floor (bench/floor/floor.server.ts) and the real server (compiled into BUILD_DIR).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import {
  BUILD_DIR,
  JWT_SECRET,
  startProcess,
  startServer,
  type ServerProcess,
} from '../support.js';

export type Kind = 'floor' | 'server';

export interface TargetOptions {
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  /** Write V8 CPU profiles of every instance to bench/profiles/<kind>/ (node --cpu-prof). */
  profile?: boolean;
}

const FLOOR_SOURCE = 'bench/floor/floor.server.ts';
const FLOOR_BUILT = `${BUILD_DIR}/floor/floor.server.js`;

/** Transpiles the floor to plain JavaScript once (no loader hooks at run time, like dist/). */
function buildFloor(): string {
  const { outputText } = ts.transpileModule(readFileSync(FLOOR_SOURCE, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2023 },
    fileName: FLOOR_SOURCE,
  });
  mkdirSync(dirname(FLOOR_BUILT), { recursive: true });
  writeFileSync(FLOOR_BUILT, outputText);
  return join(process.cwd(), FLOOR_BUILT);
}

let floorScript: string | undefined;

/** Floor and server use their own channel prefixes: neither hears the other's traffic. */
export const prefixOf = (options: TargetOptions, kind: Kind) =>
  `${options.redisPrefix}${kind === 'floor' ? 'f' : 's'}:`;

/** Starts one instance of `kind`. */
export function startInstance(kind: Kind, options: TargetOptions): Promise<ServerProcess> {
  const env = {
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    REDIS_PREFIX: prefixOf(options, kind),
    JWT_SECRET,
    DATABASE_POOL_SIZE: '10',
  };
  const nodeArgs = options.profile ? ['--cpu-prof', `--cpu-prof-dir=bench/profiles/${kind}`] : [];
  if (kind === 'floor') {
    floorScript ??= buildFloor();
    return startProcess([...nodeArgs, floorScript], env);
  }
  return startServer(
    {
      ...env,
      // Shorter than the default 5 s so the presence check settles quickly; no effect otherwise.
      PRESENCE_GRACE_MS: '1000',
    },
    nodeArgs,
  );
}

/** `count` instances of `kind`, started one after another (boots compete for 2 cores). */
export async function startInstances(
  kind: Kind,
  options: TargetOptions,
  count: number,
): Promise<ServerProcess[]> {
  const instances: ServerProcess[] = [];
  for (let i = 0; i < count; i++) instances.push(await startInstance(kind, options));
  return instances;
}

export const stopAll = (instances: readonly ServerProcess[]) =>
  Promise.all(instances.map((i) => i.stop()));
