#!/usr/bin/env node
/**
 * Builds the web app (codegen + vite) unless web/dist was built from exactly these inputs: run
 * before `npm start` and the browser tests, so a fresh checkout serves the app at `/` and an
 * unchanged one starts without waiting for a build (a hash of the inputs, ~50 ms). `--force`
 * builds in any case (`npm run build`).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const web = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(web, '..');
const stampFile = join(web, 'dist', '.build-hash');

function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile());
}

function inputsHash() {
  const generated = join(web, 'src', 'gql');
  const files = [
    ...filesUnder(join(web, 'src')).filter((path) => !path.startsWith(generated)),
    ...filesUnder(join(web, 'public')),
    ...['index.html', 'vite.config.ts', 'codegen.ts', 'tsconfig.json', 'tsconfig.node.json', 'package.json'].map((f) =>
      join(web, f),
    ),
    join(root, 'schema.gql'),
    join(root, 'package-lock.json'),
  ].sort();
  const hash = createHash('sha256');
  for (const path of files) {
    hash.update(relative(root, path)).update('\0');
    if (existsSync(path)) hash.update(readFileSync(path));
    hash.update('\0');
  }
  return hash.digest('hex');
}

const wanted = inputsHash();
const built = existsSync(join(web, 'dist', 'index.html')) && existsSync(stampFile);
const force = process.argv.includes('--force');
if (!force && built && readFileSync(stampFile, 'utf8') === wanted) {
  console.log('web app: up to date (web/dist)');
} else {
  console.log('web app: building web/dist …');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  // Always React's production build: under vitest NODE_ENV is `test`, which Vite would pass on
  // (a development bundle, 60% larger, that a later `npm start` would then serve as up to date).
  const env = { ...process.env, NODE_ENV: 'production' };
  const result = spawnSync(npm, ['run', 'build', '--silent'], { cwd: web, stdio: 'inherit', env });
  if (result.status !== 0) process.exit(result.status ?? 1);
  writeFileSync(stampFile, wanted);
}
