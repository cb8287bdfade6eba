/**
 * The sweep of uploads that no message took: every UPLOAD_SWEEP_INTERVAL_SECONDS on instances
 * that serve the HTTP API, uploads older than UPLOAD_UNATTACHED_TTL_SECONDS go, rows first (so
 * no send can take one meanwhile), then their bytes. A sweep under way finishes before shutdown.
 */
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { AppConfig } from '../config/app.config.js';
import { AttachmentsRepository } from './attachments.repository.js';
import { ATTACHMENT_STORAGE, type AttachmentStorage } from './storage/attachment.storage.js';

const SWEEP_BATCH = 500;

@Injectable()
export class UnattachedSweepService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Attachments');
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;

  constructor(
    private readonly attachments: AttachmentsRepository,
    @Inject(ATTACHMENT_STORAGE) private readonly storage: AttachmentStorage,
    private readonly config: AppConfig,
  ) {}

  /** Deletes unattached uploads created before `cutoff`; returns how many went. */
  async sweepUnattached(
    cutoff = new Date(Date.now() - this.config.uploads.unattachedTtlSeconds * 1000),
  ): Promise<number> {
    let removed = 0;
    for (;;) {
      const keys = await this.attachments.deleteUnattachedBefore(cutoff, SWEEP_BATCH);
      for (const key of keys) {
        // A file left behind is only wasted space: log it and go on.
        await this.storage
          .delete(key)
          .catch((e: unknown) => this.logger.warn(`could not delete ${key}: ${String(e)}`));
      }
      removed += keys.length;
      if (keys.length < SWEEP_BATCH) break;
    }
    await this.storage.removeDebris?.();
    if (removed > 0) this.logger.log(`swept ${removed} upload(s) that were never sent`);
    return removed;
  }

  onApplicationBootstrap(): void {
    const seconds = this.config.uploads.sweepIntervalSeconds;
    if (seconds === 0 || !this.config.servesHttpApi) return;
    // unref: the timer alone never keeps the process alive.
    this.sweepTimer = setInterval(() => void this.sweepInBackground(), seconds * 1000).unref();
  }

  /** A sweep under way finishes first: its rows are gone, its files must go too. */
  async onModuleDestroy(): Promise<void> {
    clearInterval(this.sweepTimer);
    await this.sweeping;
  }

  private async sweepInBackground(): Promise<void> {
    if (this.sweeping) return; // a slow sweep is not overtaken by the next one
    this.sweeping = this.sweepUnattached().then(
      () => undefined,
      (error: unknown) => this.logger.warn(`sweep of unattached uploads failed: ${String(error)}`),
    );
    await this.sweeping;
    this.sweeping = undefined;
  }
}
