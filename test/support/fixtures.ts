/** Per-file test fixtures that register their own setup and teardown hooks. */
import { afterAll, beforeAll } from 'vitest';
import { startApp, testEnv, type InProcessApp } from './app.js';
import { createTestDatabase, type TestDatabase } from './database.js';

/**
 * A fresh database and one app on it for the tests of this file (`env` may add settings).
 * The returned objects are filled in before the first test runs.
 */
export function useApp(
  env: (databaseUrl: string) => Record<string, string | undefined> = () => ({}),
): {
  db: TestDatabase;
  app: InProcessApp;
} {
  const db = {} as TestDatabase;
  const app = {} as InProcessApp;
  beforeAll(async () => {
    Object.assign(db, await createTestDatabase());
    Object.assign(app, await startApp(testEnv({ DATABASE_URL: db.url, ...env(db.url) })));
  });
  afterAll(async () => {
    if (app.close) await app.close();
    if (db.drop) await db.drop();
  });
  return { db, app };
}
