/**
 * Starting anywhere: two instances against one fresh database both come up (the migration lock),
 * the entities agree with the migrations, and without DATABASE_URL the server runs an embedded
 * PostgreSQL that keeps its data across a restart.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { buildDataSourceOptions } from '../../src/data-source.options.js';
import { spawnApp } from '../support/app.js';
import { useApp, useCleanups, useDatabase } from '../support/fixtures.js';
import { gqlOk, uniqueUsername } from '../support/gql.js';

const defer = useCleanups();

describe('migrations on a fresh database', () => {
  // The two instances start at once, both finding no tables.
  const { db, apps } = useApp({ instances: 2 });

  it('lets two instances start at once on one fresh database; each migration runs once', async () => {
    for (const app of apps) {
      const res = await fetch(`${app.url}/health/ready`);
      expect(res.status).toBe(200);
    }
    const rows = await db.query<{ name: string; n: string }>(
      'SELECT name, count(*) AS n FROM migrations GROUP BY name',
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.n === '1')).toBe(true);
  });
});

describe('migrations against the entities', () => {
  const db = useDatabase();

  it('leaves nothing for the entities to change after all migrations, and reverts them all cleanly', async () => {
    const dataSource = await new DataSource(
      buildDataSourceOptions({ url: db.url, poolSize: 2, poolTimeoutMs: 5000 }),
    ).initialize();
    try {
      await dataSource.runMigrations();
      const pending = await dataSource.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);

      // Every migration can be reverted, down to nothing, and applied again.
      for (let i = 0; i < dataSource.migrations.length; i++) await dataSource.undoLastMigration();
      const tables = await dataSource.query(
        // TypeORM's own bookkeeping stays: the migrations it ran, the generated columns it knows.
        `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('migrations', 'typeorm_metadata')`,
      );
      expect(tables).toEqual([]);
      await dataSource.runMigrations();
      expect((await dataSource.driver.createSchemaBuilder().log()).upQueries).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });
});

describe('embedded PostgreSQL (no DATABASE_URL)', () => {
  it('serves register and login, and still knows the user after a restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'chat-data-'));
    defer(() => rm(dataDir, { recursive: true, force: true }));
    const env = { DATABASE_URL: '', REDIS_URL: '', DATA_DIR: dataDir };
    const username = uniqueUsername('embedded');
    const password = 'embedded password';

    const first = await spawnApp(env, { timeoutMs: 60_000 });
    defer(() => first.close());
    expect(first.output()).toMatch(/using embedded PostgreSQL \(PGlite\)/);
    expect(first.output()).toMatch(/using in-process pub\/sub/);
    const registered = await gqlOk(
      first.url,
      `mutation($input: RegisterInput!) { register(input: $input) { user { id } } }`,
      {
        input: { username, password },
      },
    );
    await first.close();
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(first.output()).not.toMatch(/"level":50/);

    const second = await spawnApp(env, { timeoutMs: 60_000 });
    defer(() => second.close());
    const login = await gqlOk(
      second.url,
      `mutation($input: LoginInput!) { login(input: $input) { user { id } } }`,
      {
        input: { username, password },
      },
    );
    expect(login.login.user.id).toBe(registered.register.user.id);
  }, 120_000);
});
