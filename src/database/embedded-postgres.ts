/**
 * The embedded PostgreSQL used when DATABASE_URL is unset: PGlite (PostgreSQL compiled to WASM)
 * persisted under DATA_DIR, served over a loopback socket so the normal `pg` driver, TypeORM and
 * the same migrations work unchanged. One process only: it is not shared between instances.
 */
import { PGlite } from '@electric-sql/pglite';
import { btree_gin } from '@electric-sql/pglite/contrib/btree_gin';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface EmbeddedPostgres {
  /** A postgres:// URL for the `pg` driver. */
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(
  dataDir: string,
  maxConnections: number,
): Promise<EmbeddedPostgres> {
  const dir = join(dataDir, 'pglite');
  // PGlite does not create missing parent folders itself.
  await mkdir(dir, { recursive: true });
  // The extensions the migrations create (search): PGlite loads only those it is given.
  const db = await PGlite.create(dir, { extensions: { unaccent, pg_trgm, btree_gin } });
  // pglite-socket refuses connections beyond maxConnections (default 1): match the pool size.
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections });
  await server.start();
  const [host, port] = server.getServerConn().split(':');
  return {
    url: `postgres://postgres@${host}:${port}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
