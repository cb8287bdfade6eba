/**
 * Whether the user a valid token names still exists. A token outlives its account (deleted, or
 * a database restored without it): without this check such a caller reaches foreign keys (a 500
 * on createConversation) or marks a nobody online (heartbeat). Known-existing users are kept in a
 * small LRU for a minute, so the check is not a query per request, and a check on its way is
 * shared by whoever asks meanwhile; a deletion calls `forget` (other instances notice within
 * the minute).
 */
import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { UnauthenticatedError } from '../common/errors/domain-error.js';
import { UsersRepository } from './users.repository.js';

const CACHED_USERS = 10_000;
const CACHE_TTL_MS = 60_000;

@Injectable()
export class UserExistence {
  private readonly known = new LRUCache<string, true>({ max: CACHED_USERS, ttl: CACHE_TTL_MS });

  /** Checks on their way, by user: the devices of one user reconnecting at once ask once. */
  private readonly checking = new Map<string, Promise<boolean>>();

  constructor(private readonly users: UsersRepository) {}

  /** UNAUTHENTICATED unless the user exists; a failure to check (database down) propagates. */
  async assertExists(userId: string): Promise<void> {
    if (this.known.has(userId)) return;
    const exists = await (this.checking.get(userId) ?? this.check(userId));
    if (!exists) throw new UnauthenticatedError('Invalid or expired token');
  }

  private check(userId: string): Promise<boolean> {
    const check: Promise<boolean> = this.users
      .countExisting([userId])
      .then((n) => {
        // Not kept if the account was deleted (forget) while the check was on its way.
        if (n === 1 && this.checking.get(userId) === check) this.known.set(userId, true);
        return n === 1;
      })
      .finally(() => {
        if (this.checking.get(userId) === check) this.checking.delete(userId);
      });
    this.checking.set(userId, check);
    return check;
  }

  /** After an account is deleted: its tokens stop working here at once. */
  forget(userId: string): void {
    this.known.delete(userId);
    this.checking.delete(userId);
  }
}
