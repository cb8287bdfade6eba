/**
 * Reads that may go to the read replica (DATABASE_READ_URL). A replica lags its primary by a
 * moment, so a read that must see every write made before it names a watermark check that runs
 * on the replica first; a replica that is behind it, or that fails, sends the read to the
 * primary. Without a replica everything runs on the primary, as before.
 */
import { Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';

const logger = new Logger('ReadReplica');

export async function readFromReplica<T>(
  dataSource: DataSource,
  read: (manager: EntityManager) => Promise<T>,
  caughtUp?: (manager: EntityManager) => Promise<boolean>,
): Promise<T> {
  if (!dataSource.driver.isReplicated) return read(dataSource.manager);
  const runner = dataSource.createQueryRunner('slave');
  try {
    // The replica only moves forward: caught up before the read means caught up for it.
    if (!caughtUp || (await caughtUp(runner.manager))) return await read(runner.manager);
  } catch (error) {
    logger.warn(`read replica failed, reading from the primary: ${String(error)}`);
  } finally {
    await runner.release();
  }
  return read(dataSource.manager);
}
