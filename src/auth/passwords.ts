/**
 * Password hashing with argon2id at OWASP's recommended cost (19 MiB, 2 passes, 1 lane):
 * memory-hard against GPU guessing, ~20 ms per hash here. Hashes run on libuv's thread pool,
 * which file reads and writes share: 50 logins at once took downloads from 5 to 218 ms p50. At
 * most HASH_CONCURRENCY run at once (the rest queue), so logins wait for each other, not everyone.
 */
import argon2 from 'argon2';
import pLimit from 'p-limit';

const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Half of libuv's default pool of 4: the other threads stay free for file and DNS work. */
export const HASH_CONCURRENCY = 2;
const hashing = pLimit(HASH_CONCURRENCY);

export function hashPassword(password: string): Promise<string> {
  return hashing(() => argon2.hash(password, OPTIONS));
}

/** A hash of nothing, checked when the username is unknown so both cases take the same time. */
const decoy = hashPassword('decoy-password-for-unknown-users');

export async function verifyPassword(hash: string | undefined, password: string): Promise<boolean> {
  const against = hash ?? (await decoy);
  try {
    return await hashing(() => argon2.verify(against, password));
  } catch {
    return false;
  }
}
