/**
 * The data source for the TypeORM CLI (`npm run migration:*`), built from the same options and
 * configuration as the app. Without DATABASE_URL it opens the embedded database under DATA_DIR.
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from './config/app.config.js';
import { buildDataSourceOptions } from './data-source.options.js';
import { startEmbeddedPostgres } from './database/embedded-postgres.js';

const config = loadConfig();
const url = config.database.url ?? (await startEmbeddedPostgres(config.dataDir, 1)).url;

export default new DataSource(
  buildDataSourceOptions({ url, poolSize: 1, poolTimeoutMs: config.database.poolTimeoutMs }),
);
