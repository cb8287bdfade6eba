import type { Logger } from '@nestjs/common';
import type { AppMetrics } from '../metrics/app.metrics.js';
import type { UsersRepository } from '../users/users.repository.js';
import type { PresenceHealth } from './presence.health.js';
import type { PresenceStore } from './presence.store.js';

export interface PresenceSweepParts {
  store: PresenceStore;
  users: Pick<UsersRepository, 'updateLastSeen'>;
  metrics: AppMetrics;
  health: PresenceHealth;
  logger: Logger;
  /** Runs before each pass: the renewal owed after a failure (see PresenceHealth). */
  beforePass: () => Promise<void>;
  /** Whether the instance is shutting down (no further passes). */
  stopping: () => boolean;
}

/**
 * One instance's sweep (presence-claims.service.ts runs it every second and right after a grace
 * period): the store announces OFFLINE every user whose claims have all lapsed, and their last-seen
 * times go to PostgreSQL. Passes never overlap: one asked for while another runs is run after it.
 */
export class PresenceSweep {
  private running = false;
  private again = false;

  constructor(private readonly parts: PresenceSweepParts) {}

  async run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    const { store, users, metrics, health, logger } = this.parts;
    try {
      do {
        this.again = false;
        // Back from an outage: renew first, or our own users' lapsed claims would be swept. (Not
        // health's failing: one claim or release succeeding says nothing of lapsed renewals.)
        if (health.renewPending) await this.parts.beforePass();
        const changes = await store.sweep();
        // The store made each change it reports once, on one instance: this one.
        if (changes.length > 0) metrics.presenceChanges.inc({ status: 'offline' }, changes.length);
        health.recovered();
        // One statement for all: a storm's departures came as one UPDATE each, in the pool the
        // storm's resumes needed (bench/README.md, "Round three: the reconnect storm").
        await users.updateLastSeen(changes).catch((err: unknown) => {
          logger.warn(`storing last seen of ${changes.length} users failed: ${String(err)}`);
        });
      } while (this.again && !this.parts.stopping());
    } catch (error) {
      health.failed('sweep', error);
    } finally {
      this.running = false;
    }
  }
}
