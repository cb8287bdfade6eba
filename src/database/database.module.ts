/**
 * The database connection: DATABASE_URL when set, otherwise an embedded PostgreSQL (PGlite) under
 * DATA_DIR. Migrations run at start (MIGRATIONS_RUN) under an advisory lock; synchronize is off.
 */
import { DynamicModule, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import { redactUrl } from '../common/redact-url.js';
import { AppConfig } from '../config/app.config.js';
import { AppMetrics } from '../metrics/app.metrics.js';
import { postgresOptions, type Entities } from './data-source.options.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.js';
import { runMigrationsLocked } from './migration-lock.js';
import { runUnnamedOn } from './prepared-query.js';

/** Where the database is; owns the embedded server's lifetime when there is one. */
@Injectable()
export class DatabaseServer implements OnApplicationShutdown {
  constructor(
    readonly url: string,
    private readonly embedded: EmbeddedPostgres | undefined,
    private readonly moduleRef: ModuleRef,
  ) {}

  static async locate(config: AppConfig, moduleRef: ModuleRef): Promise<DatabaseServer> {
    const logger = new Logger('Database');
    if (config.database.url) {
      logger.log(`using PostgreSQL at ${redactUrl(config.database.url)}`);
      if (config.database.readUrl)
        logger.log(`history pages and searches read from ${redactUrl(config.database.readUrl)}`);
      return new DatabaseServer(config.database.url, undefined, moduleRef);
    }
    const embedded = await startEmbeddedPostgres(config.dataDir, config.database.poolSize);
    logger.log(`using embedded PostgreSQL (PGlite) in ${config.dataDir} (DATABASE_URL is not set)`);
    return new DatabaseServer(embedded.url, embedded, moduleRef);
  }

  /** Every pooled connection is a client of one PGlite session. */
  get isEmbedded(): boolean {
    return this.embedded !== undefined;
  }

  async onApplicationShutdown(): Promise<void> {
    // The pool must close before the embedded server it talks to, whatever order Nest picks.
    const dataSource = this.moduleRef.get(DataSource, { strict: false });
    if (dataSource?.isInitialized) await dataSource.destroy();
    await this.embedded?.stop();
  }
}

/** The pool's state for Prometheus (chat_db_pool_connections), read at each scrape. */
@Injectable()
export class PoolMetrics {
  constructor(dataSource: DataSource, metrics: AppMetrics) {
    const pool = (dataSource.driver as PostgresDriver).master as Pool;
    metrics.databasePool.from(() => ({
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
    }));
  }
}

@Module({})
export class DatabaseModule {
  /** `entities`: every feature's, from the composition root (this module imports no feature). */
  static forRoot(config: AppConfig, entities: Entities): DynamicModule {
    // Set by the options factory, read by the data source factory that Nest calls after it.
    let embedded = false;
    return {
      module: DatabaseModule,
      global: true,
      providers: [PoolMetrics],
      imports: [
        TypeOrmModule.forRootAsync({
          imports: [DatabaseServerModule],
          inject: [DatabaseServer],
          useFactory: (server: DatabaseServer) => {
            embedded = server.isEmbedded;
            return {
              ...postgresOptions(
                {
                  url: server.url,
                  readUrl: config.database.readUrl,
                  poolSize: config.database.poolSize,
                  poolTimeoutMs: config.database.poolTimeoutMs,
                },
                entities,
              ),
              // A database that is still starting (compose, orchestrators) gets a few chances.
              retryAttempts: config.env === 'test' ? 0 : 5,
              retryDelay: 2000,
            };
          },
          dataSourceFactory: async (options) => {
            const dataSource = await new DataSource(options!).initialize();
            if (embedded) runUnnamedOn(dataSource);
            if (config.database.migrationsRun) await runMigrationsLocked(dataSource);
            return dataSource;
          },
        }),
      ],
    };
  }
}

@Module({
  providers: [
    {
      provide: DatabaseServer,
      inject: [AppConfig, ModuleRef],
      useFactory: (config: AppConfig, moduleRef: ModuleRef) =>
        DatabaseServer.locate(config, moduleRef),
    },
  ],
  exports: [DatabaseServer],
})
class DatabaseServerModule {}
