/**
 * One definition of the TypeORM data source, shared by the app and the migration CLI, so both
 * see the same entities, migrations and pool settings.
 */
import type { DataSourceOptions } from 'typeorm';
import { migrations } from '../../migrations/index.js';
import { entities } from './entities.js';

export interface DatabaseConnectionSettings {
  url: string;
  poolSize: number;
  poolTimeoutMs: number;
}

export function buildDataSourceOptions(settings: DatabaseConnectionSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
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
