/** A fresh PostgreSQL database per test file, dropped afterwards. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DATABASE_ADMIN_URL } from './env.js';

export interface TestDatabase {
  url: string;
  name: string;
  /** Runs one query against the test database (for assertions on what is stored). */
  query<T extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params?: unknown[],
  ): Promise<T[]>;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `chat_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: DATABASE_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(DATABASE_ADMIN_URL);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
  return {
    url: url.toString(),
    name,
    async query(sql, params) {
      return (await pool.query(sql, params)).rows;
    },
    async drop() {
      await pool.end();
      const admin = new pg.Client({ connectionString: DATABASE_ADMIN_URL });
      await admin.connect();
      // Let connections that are closing finish first: terminating one mid-goodbye makes its
      // client raise an error nobody listens to any more. Stragglers (killed apps) are forced.
      for (let i = 0; i < 40; i++) {
        const rows = await admin.query(
          'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
          [name],
        );
        if (rows.rows[0].n === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** How many messages the database holds for a conversation. */
export async function countMessages(db: TestDatabase, conversationId: string): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM messages WHERE conversation_id = $1',
    [conversationId],
  );
  return row.n;
}
