/**
 * Redis namespaces for tests and benchmarks on the shared Redis: a prefix of their own, so nobody
 * hears another run, and removed when done, so no run leaves keys behind.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { REDIS_URL } from './env.js';

/** A Redis prefix of its own, so a test never hears another test (or an old run) on Redis. */
export function uniqueRedisPrefix(base = 'test'): string {
  return `${base}-${randomBytes(6).toString('hex')}:`;
}

/**
 * Deletes every key under `prefix` (SCAN + UNLINK: never KEYS or FLUSHALL on a shared server);
 * how many went. Channels need nothing: they vanish with their last subscriber.
 */
export async function removeRedisPrefix(prefix: string, url = REDIS_URL): Promise<number> {
  if (!prefix) throw new Error('refusing to remove an empty prefix: that is every key');
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  let removed = 0;
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(
        cursor,
        'MATCH',
        `${escapeGlob(prefix)}*`,
        'COUNT',
        1000,
      );
      if (keys.length) removed += await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return removed;
}

/** SCAN MATCH is a glob: a prefix's own `*?[]\` must match themselves. */
const escapeGlob = (text: string) => text.replace(/[*?[\]\\]/g, '\\$&');
