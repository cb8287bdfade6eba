/**
 * The push worker (APP_ROLE=worker, or all): claims due jobs in batches with FOR UPDATE SKIP
 * LOCKED, so any number of workers share the queue and no job is claimed by two; re-checks each
 * job when it runs (still a member, not muted, not deleted, not read, and the member offline on
 * every instance); then pushes to each of the member's devices.
 *
 * Never twice, even across a crash. A claim is a lease (`run_at` moved a lease ahead): a worker
 * that dies leaves its claimed jobs to be claimed again once the lease passes. Just before a
 * chunk of jobs is pushed, they are marked `sending` in a commit of their own, and only if this
 * worker still holds them; a job marked `sending` is never claimed again. So a crash between
 * that mark and the pushes' outcome loses those (at most PUSH_CONCURRENCY) pushes rather than
 * repeat them: at-most-once, chosen because a repeated notification is what users complain of
 * and a lost one is softened by the unread badge when the app opens. Jobs claimed but not yet
 * marked are sent after the lease by whichever worker takes them. 429/5xx answers and network
 * failures go back to the queue with backoff for the devices that failed only (bounded by
 * PUSH_MAX_ATTEMPTS); 404/410 remove the device.
 */
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../config/app.config.js';
import { AppMetrics } from '../metrics/app.metrics.js';
import { PresenceStore } from '../presence/presence.store.js';
import { PushDevicesRepository, type PushTarget } from './push-devices.repository.js';
import {
  PushJobsRepository,
  type ClaimedJob,
  type JobContext,
  type JobKey,
} from './push-jobs.repository.js';
import { PushScheduler } from './push.scheduler.js';
import { messageOf } from './push.message.js';
import { PUSH_TRANSPORTS, PushTransport } from './push.transport.js';

const BACKOFF_BASE_MS = 1000;
const BACKOFF_MAX_MS = 5 * 60_000;
const PRUNE_EVERY_MS = 60_000;

interface Work {
  job: ClaimedJob;
  context: JobContext;
  targets: PushTarget[];
}

@Injectable()
export class PushWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('PushWorker');
  /** This worker's lease holder id (a new one each start). */
  private readonly id = randomUUID();
  private readonly transports: Map<string, PushTransport>;
  private stopping = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private stopScheduled?: () => void;
  private lastPrune = 0;
  private failing = false;

  constructor(
    private readonly config: AppConfig,
    private readonly jobs: PushJobsRepository,
    private readonly devices: PushDevicesRepository,
    private readonly presence: PresenceStore,
    private readonly scheduler: PushScheduler,
    private readonly metrics: AppMetrics,
    @Inject(PUSH_TRANSPORTS) transports: PushTransport[],
  ) {
    this.transports = new Map(transports.map((t) => [t.kind, t]));
  }

  get enabled(): boolean {
    return this.config.runsPushWorker && this.transports.size > 0;
  }

  onApplicationBootstrap(): void {
    if (!this.enabled) return;
    this.stopScheduled = this.scheduler.onScheduled((inMs) => {
      setTimeout(() => this.wake?.(), inMs + 20).unref();
    });
    this.loop = this.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.stopScheduled?.();
    this.wake?.();
    await this.loop;
    if (this.enabled) {
      // What this worker claimed and did not start goes back to the queue now, not after the lease.
      await this.jobs.release(this.id).catch(() => undefined);
    }
    for (const transport of this.transports.values()) transport.close();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let claimed = 0;
      try {
        claimed = await this.runBatch();
        await this.pruneNow();
        this.failing = false;
      } catch (error) {
        if (!this.failing) this.logger.warn(`push batch failed: ${String(error)}`);
        this.failing = true;
      }
      if (claimed < this.config.push.batchSize) await this.idle(this.config.push.pollIntervalMs);
    }
  }

  /** One batch: claim, re-check, push. Answers how many jobs it claimed. */
  async runBatch(): Promise<number> {
    const { batchSize, leaseSeconds, concurrency } = this.config.push;
    const claimed = await this.jobs.claim(this.id, batchSize, leaseSeconds);
    if (claimed.length === 0) return 0;
    const work = await this.prepare(claimed);
    const dropped = claimed.filter((job) => !work.some((w) => w.job === job));
    await this.jobs.delete(dropped);
    if (dropped.length > 0) this.metrics.pushes.inc({ outcome: 'skipped' }, dropped.length);
    for (let i = 0; i < work.length && !this.stopping; i += concurrency) {
      await this.pushChunk(work.slice(i, i + concurrency));
    }
    return claimed.length;
  }

  /** The jobs that should still be pushed now, each with its devices. */
  private async prepare(claimed: ClaimedJob[]): Promise<Work[]> {
    const contexts = new Map((await this.jobs.context(claimed)).map((c) => [keyOf(c), c] as const));
    const eligible = claimed.filter((job) => contexts.get(keyOf(job))?.eligible);
    const userIds = [...new Set(eligible.map((job) => job.userId))];
    const presence = await this.presence.read(userIds);
    const away = eligible.filter((job) => !presence.get(job.userId)?.online);
    const targets = await this.devices.findTargets([...new Set(away.map((j) => j.userId))]);
    return away
      .map((job) => ({
        job,
        context: contexts.get(keyOf(job))!,
        targets: targets.filter(
          (t) =>
            t.userId === job.userId &&
            this.transports.has(t.kind) &&
            (job.deviceIds === null || job.deviceIds.includes(t.id)),
        ),
      }))
      .filter((w) => w.targets.length > 0);
  }

  private async pushChunk(chunk: Work[]): Promise<void> {
    const marked = new Set(
      (
        await this.jobs.markSending(
          this.id,
          chunk.map((w) => w.job),
        )
      ).map(keyOf),
    );
    const mine = chunk.filter((w) => marked.has(keyOf(w.job)));
    const done: JobKey[] = [];
    const gone: string[] = [];
    await Promise.all(
      mine.map(async ({ job, context, targets }) => {
        const message = messageOf(context);
        const outcomes = await Promise.all(
          targets.map((t) => this.transports.get(t.kind)!.send(t, message)),
        );
        const failed: string[] = [];
        let retryAfterMs = 0;
        outcomes.forEach((outcome, i) => {
          this.metrics.pushes.inc({ outcome: outcome.kind });
          if (outcome.kind === 'gone') gone.push(targets[i].id);
          if (outcome.kind === 'retry') {
            failed.push(targets[i].id);
            retryAfterMs = Math.max(retryAfterMs, outcome.afterMs ?? 0);
          }
        });
        const attempts = job.attempts + 1;
        if (failed.length === 0 || attempts >= this.config.push.maxAttempts) {
          if (failed.length > 0) this.logger.warn(`push given up after ${attempts} attempts`);
          done.push(job);
          return;
        }
        const backoff = Math.min(BACKOFF_BASE_MS * 2 ** (attempts - 1), BACKOFF_MAX_MS);
        const jitter = Math.random() * 0.2 * backoff;
        await this.jobs.retry(job, failed, Math.max(backoff + jitter, retryAfterMs));
      }),
    );
    await this.devices.deleteByIds(gone);
    await this.jobs.delete(done);
  }

  private async pruneNow(): Promise<void> {
    if (Date.now() - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = Date.now();
    await this.jobs.pruneAbandoned(this.config.push.leaseSeconds * 2);
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

function keyOf(key: JobKey): string {
  return `${key.userId}:${key.messageId}`;
}
