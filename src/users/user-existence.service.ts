/**
 * Whether the user a valid token names still exists. A token outlives its account (deleted, or
 * a database restored without it): without this check such a caller reaches foreign keys (a 500
 * on createConversation) or marks a nobody online (heartbeat). Known-existing users are kept in a
 * small LRU for a minute, so the check is not a query per request; a deletion calls `forget`
 * (other instances notice within the minute).
 */
import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import { LRUCache } from 'lru-cache';
import { UnauthenticatedError } from '../common/errors/domain-error.js';
import { UsersRepository } from './users.repository.js';

const CACHED_USERS = 10_000;
const CACHE_TTL_MS = 60_000;

@Injectable()
export class UserExistence {
  private readonly known = new LRUCache<string, true>({ max: CACHED_USERS, ttl: CACHE_TTL_MS });

  /**
   * Checks made in one turn of the event loop share one query: a reconnect storm checks
   * thousands of users at once, and one query each held the database pool the resumes need.
   */
  private readonly lookups = new DataLoader<string, boolean>(
    async (ids) => {
      const found = await this.users.existingIds(ids);
      return ids.map((id) => found.has(id));
    },
    { cache: false, batchScheduleFn: (run) => setImmediate(run), maxBatchSize: 1000 },
  );

  constructor(private readonly users: UsersRepository) {}

  /** UNAUTHENTICATED unless the user exists; a failure to check (database down) propagates. */
  async assertExists(userId: string): Promise<void> {
    if (this.known.has(userId)) return;
    if (!(await this.lookups.load(userId))) {
      throw new UnauthenticatedError('Invalid or expired token');
    }
    this.known.set(userId, true);
  }

  /** After an account is deleted: its tokens stop working here at once. */
  forget(userId: string): void {
    this.known.delete(userId);
  }
}
