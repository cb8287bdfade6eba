/**
 * Removes sessions that ended a day ago or more (revoked, or unused past REFRESH_TOKEN_TTL), in
 * batches, hourly, so the table holds the live sessions and the recent ended ones only. Every
 * instance runs it; concurrent deletes of the same rows are harmless.
 */
import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { BackgroundTasks } from '../../common/timers/background-tasks.js';
import { SessionsRepository } from './sessions.repository.js';

const EVERY_MS = 3600_000;
/** Longer than any access token lives, so the revocation check never needs a deleted row. */
const KEEP_ENDED_MS = 24 * 3600_000;
const BATCH = 1000;

@Injectable()
export class EndedSessionsSweep implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SessionsSweep');
  private readonly tasks = new BackgroundTasks();

  constructor(private readonly sessions: SessionsRepository) {}

  onApplicationBootstrap(): void {
    this.tasks.every(EVERY_MS, async () => void (await this.sweep()));
  }

  async onApplicationShutdown(): Promise<void> {
    this.tasks.stop();
    await this.tasks.settled();
  }

  /** One pass; answers how many sessions it removed. */
  async sweep(now = Date.now()): Promise<number> {
    let removed = 0;
    try {
      for (;;) {
        const count = await this.sessions.deleteEndedBefore(new Date(now - KEEP_ENDED_MS), BATCH);
        removed += count;
        if (count < BATCH || this.tasks.stopping) break;
      }
    } catch (error) {
      this.logger.warn(`could not remove ended sessions: ${String(error)}`);
    }
    return removed;
  }
}
