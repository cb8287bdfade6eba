import argon2 from 'argon2';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HASH_CONCURRENCY, hashPassword, verifyPassword } from './passwords.js';

/** Wraps an argon2 function to record how many calls run at the same time. */
function trackConcurrency(name: 'hash' | 'verify', seen = { running: 0, max: 0 }) {
  const original = argon2[name] as (...args: unknown[]) => Promise<unknown>;
  vi.spyOn(argon2, name).mockImplementation((async (...args: unknown[]) => {
    seen.max = Math.max(seen.max, ++seen.running);
    try {
      return await original(...args);
    } finally {
      seen.running--;
    }
  }) as never);
  return seen;
}

describe('passwords', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('verifies what it hashed', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(await verifyPassword(hash, 'correct horse battery')).toBe(true);
    expect(await verifyPassword(hash, 'wrong')).toBe(false);
    expect(await verifyPassword(undefined, 'anything')).toBe(false);
  });

  it(`runs at most ${HASH_CONCURRENCY} hashes at once; the rest wait their turn`, async () => {
    const hash = await hashPassword('correct horse battery');
    const seen = trackConcurrency('verify');
    trackConcurrency('hash', seen);
    const results = await Promise.all([
      ...Array.from({ length: 10 }, (_, i) =>
        verifyPassword(hash, i % 2 ? 'correct horse battery' : 'wrong'),
      ),
      ...Array.from({ length: 4 }, () => hashPassword('another password').then(Boolean)),
    ]);
    expect(results.slice(0, 10)).toEqual(Array.from({ length: 10 }, (_, i) => i % 2 === 1));
    // Hashing and verifying share the bound: never more than it together, and it is used.
    expect(seen.max).toBe(HASH_CONCURRENCY);
  });
});
