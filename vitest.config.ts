import swc from 'unplugin-swc';
import { configDefaults, defineConfig } from 'vitest/config';

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql 16 ships CommonJS (used by Nest and Apollo under Node) and an .mjs build (which Vite
    // would pick for test files); two copies break `instanceof`. Everyone gets the CommonJS one.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  // SWC keeps decorator metadata, which Nest's dependency injection and GraphQL types need.
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: {
    pool: 'forks',
    // Two cores here: a few files at once keeps real-time tests from starving each other.
    maxWorkers: 3,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      // Unit specs sit beside the code (the server's and the web client's) and need nothing running.
      {
        extends: true,
        test: { name: 'unit', include: ['src/**/*.spec.ts', 'web/src/**/*.spec.ts'] },
      },
      // Integration and e2e: real PostgreSQL, Redis, HTTP and WebSockets (checked up front).
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/**/*.spec.ts'],
          exclude: [...configDefaults.exclude, 'test/web/**'],
          globalSetup: ['test/support/global-setup.ts'],
          // The soak test measures the heap after a full collection.
          execArgv: ['--expose-gc'],
        },
      },
      // The web client in a real browser (Debian's Chromium) against real app instances, which
      // serve the web app built by this project's global setup.
      {
        extends: true,
        test: {
          name: 'web',
          include: ['test/web/**/*.spec.ts'],
          globalSetup: ['test/web/global-setup.ts'],
          testTimeout: 60_000,
        },
      },
    ],
  },
});
