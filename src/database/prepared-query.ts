/**
 * A hot statement run as a named prepared statement on the primary's pool, beside TypeORM rather
 * than through it: PostgreSQL parses and plans it once per pooled connection instead of on every
 * call, and the call skips TypeORM's per-query runner (create, connect, release). For the few
 * statements on the hottest paths (a send, a message change), not for the rest: one name per
 * statement text, never built from values.
 */
import pg, { type Pool } from 'pg';
import { QueryFailedError, type DataSource } from 'typeorm';

/**
 * Data sources whose pooled connections share one server session (the embedded PGlite behind
 * pglite-socket): a statement name prepared by one pooled client already exists for the next,
 * which would be refused (42P05), so their statements run unnamed.
 */
const oneSession = new WeakSet<DataSource>();

export function runUnnamedOn(dataSource: DataSource): void {
  oneSession.add(dataSource);
}

export async function preparedQuery<Row>(
  dataSource: DataSource,
  name: string,
  text: string,
  values: unknown[],
): Promise<Row[]> {
  // The pool TypeORM made for the primary (its `master` in both single and replicated set-ups).
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  // Told to TypeORM's logger as its own queries are, so query logging (and counting) sees it.
  dataSource.logger.logQuery(text, values);
  try {
    const result = await pool.query<Row & object>(
      oneSession.has(dataSource) ? { text, values } : { name, text, values },
    );
    return result.rows;
  } catch (error) {
    // Wrapped as TypeORM wraps what PostgreSQL refused, so pg-errors.ts and the error mapping
    // see one shape; pool errors (a full pool's timeout) pass as TypeORM passes them.
    if (error instanceof pg.DatabaseError) throw new QueryFailedError(text, values, error);
    throw error;
  }
}
