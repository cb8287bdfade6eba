/**
 * Before any test: the real PostgreSQL and Redis must answer (the e2e tests never skip), and the
 * app is compiled once for the tests that run it as a separate process.
 */
import { execFileSync } from 'node:child_process';
import { Redis } from 'ioredis';
import pg from 'pg';
import { DATABASE_ADMIN_URL, REDIS_URL } from './env.js';

export default async function setup(): Promise<void> {
  const client = new pg.Client({
    connectionString: DATABASE_ADMIN_URL,
    connectionTimeoutMillis: 3000,
  });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${DATABASE_ADMIN_URL} (${String(error)}); start it (see README) or set TEST_DATABASE_ADMIN_URL`,
      { cause: error },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
  const redis = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(
      `Redis is not reachable at ${REDIS_URL} (${String(error)}); start it (see README) or set TEST_REDIS_URL`,
      { cause: error },
    );
  } finally {
    redis.disconnect();
  }
  execFileSync('npx', ['nest', 'build'], { stdio: 'inherit' });
}
