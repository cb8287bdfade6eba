/**
 * The send path's one hook: after a message commits, one INSERT … SELECT makes a job for every
 * member who may need a push (see PushJobsRepository.enqueue). It runs beside the send's answer,
 * not before it (a push is a best effort: a failure here is logged, never the send's), and a
 * worker in this process is woken when the jobs fall due, if any were made (a send to members
 * who have no device, or have muted the conversation, makes none: nothing to wake for).
 */
import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app.config.js';
import { PushJobsRepository } from './push-jobs.repository.js';

export interface SentMessage {
  id: string;
  conversationId: string;
  senderId: string;
}

@Injectable()
export class PushScheduler implements BeforeApplicationShutdown {
  private readonly logger = new Logger('PushScheduler');
  private readonly pending = new Set<Promise<void>>();
  private readonly dueListeners = new Set<(inMs: number) => void>();

  constructor(
    private readonly config: AppConfig,
    private readonly jobs: PushJobsRepository,
  ) {}

  /** Called once the message is committed; returns at once. */
  messageSent(message: SentMessage): void {
    if (!this.config.push.vapid) return;
    const delaySeconds = this.config.push.delaySeconds;
    const work = this.jobs
      .enqueue(message.id, message.conversationId, message.senderId, delaySeconds)
      .then((made) => {
        if (made === 0) return;
        for (const listener of this.dueListeners) listener(delaySeconds * 1000);
      })
      .catch((error: unknown) => {
        this.logger.warn(`could not schedule pushes for a message: ${String(error)}`);
      })
      .finally(() => this.pending.delete(work));
    this.pending.add(work);
  }

  /** `listener(inMs)`: jobs were just made, due in that many milliseconds. */
  onScheduled(listener: (inMs: number) => void): () => void {
    this.dueListeners.add(listener);
    return () => this.dueListeners.delete(listener);
  }

  /** Before the pool closes: let the inserts under way finish. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }
}
