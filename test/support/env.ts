/**
 * Where the test suite finds the real services. Defaults match the development machine and CI;
 * override with TEST_DATABASE_ADMIN_URL and TEST_REDIS_URL.
 */
export const DATABASE_ADMIN_URL =
  process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256';
