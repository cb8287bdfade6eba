/**
 * Runs pending migrations under a PostgreSQL advisory lock, so instances that start together
 * against one database apply each migration exactly once (the others wait, then find nothing).
 */
import { Logger } from '@nestjs/common';
import { MigrationExecutor, type DataSource } from 'typeorm';

/** An arbitrary, fixed 64-bit key that names "schema migrations of this app". */
const MIGRATION_LOCK_KEY = '7210433391201553';

export async function runMigrationsLocked(dataSource: DataSource): Promise<void> {
  const logger = new Logger('Migrations');
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    // On the locked connection itself: a pool of one must not wait for a second connection.
    const executor = new MigrationExecutor(dataSource, runner);
    executor.transaction = 'each';
    const applied = await executor.executePendingMigrations();
    if (applied.length > 0) {
      logger.log(
        `applied ${applied.length} migration(s): ${applied.map((m) => m.name).join(', ')}`,
      );
    }
  } finally {
    await runner
      .query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY])
      .catch(() => undefined);
    await runner.release();
  }
}
