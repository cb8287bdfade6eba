/**
 * One definition of the TypeORM data source, shared by the app and the migration CLI, so both
 * see the same migrations and pool settings. The entities are the features' own: the composition
 * roots pass them in (src/data-source.options.ts), so this module imports no feature.
 */
import type { DataSourceOptions } from 'typeorm';
import { migrations } from '../../migrations/index.js';

export interface DatabaseConnectionSettings {
  url: string;
  /** A read replica: only reads that ask for it go there (see replica-reads.ts). */
  readUrl?: string;
  poolSize: number;
  poolTimeoutMs: number;
}

export type Entities = NonNullable<DataSourceOptions['entities']>;

export function postgresOptions(
  settings: DatabaseConnectionSettings,
  entities: Entities,
): DataSourceOptions {
  return {
    type: 'postgres',
    ...(settings.readUrl
      ? {
          // Every query stays on the primary unless it asks for a 'slave' query runner.
          replication: {
            master: { url: settings.url },
            slaves: [{ url: settings.readUrl }],
            defaultMode: 'master' as const,
          },
        }
      : { url: settings.url }),
    entities,
    migrations,
    // The schema is owned by migrations only.
    synchronize: false,
    migrationsRun: false,
    migrationsTableName: 'migrations',
    // gen_random_uuid() is built into PostgreSQL 13+; extensions are not needed (nor installable
    // on every managed database or on PGlite).
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    poolSize: settings.poolSize,
    // pg-pool applies this to waiting for a free pooled client too: a full pool fails fast.
    connectTimeoutMS: settings.poolTimeoutMs,
    extra: { idleTimeoutMillis: 30_000 },
  };
}
