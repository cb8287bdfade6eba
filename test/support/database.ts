/**
 * A fresh PostgreSQL database (unique name) for a test file or a benchmark run, dropped
 * afterwards. The app's own migrations make its tables when the first instance starts.
 */
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

export interface DatabaseOptions {
  /** The start of its name (`chat_test`; the benchmarks use `chat_bench`). */
  prefix?: string;
  /** Connections of the pool behind `query`. */
  poolSize?: number;
}

export async function createTestDatabase({
  prefix = 'chat_test',
  poolSize = 2,
}: DatabaseOptions = {}): Promise<TestDatabase> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await asAdmin((admin) => admin.query(`CREATE DATABASE "${name}"`));
  const url = new URL(DATABASE_ADMIN_URL);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: poolSize });
  return {
    url: url.toString(),
    name,
    async query(sql, params) {
      return (await pool.query(sql, params)).rows;
    },
    async drop() {
      await pool.end();
      await asAdmin(async (admin) => {
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
      });
    },
  };
}

async function asAdmin<T>(run: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: DATABASE_ADMIN_URL });
  await admin.connect();
  try {
    return await run(admin);
  } finally {
    await admin.end();
  }
}

/** How many messages the database holds for a conversation. */
export async function countMessages(db: TestDatabase, conversationId: string): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM messages WHERE conversation_id = $1',
    [conversationId],
  );
  return row.n;
}

/** The seqs the database holds for a conversation, in order. */
export async function storedSeqs(db: TestDatabase, conversationId: string): Promise<number[]> {
  const rows = await db.query<{ seq: number }>(
    'SELECT seq FROM messages WHERE conversation_id = $1 ORDER BY seq',
    [conversationId],
  );
  return rows.map((r) => r.seq);
}
