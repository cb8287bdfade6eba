/** Removing stored bytes whose rows are already gone (a deleted message's files). */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ATTACHMENT_STORAGE, type AttachmentStorage } from './storage/attachment.storage.js';

@Injectable()
export class StoredBytesService {
  private readonly logger = new Logger('Attachments');

  constructor(@Inject(ATTACHMENT_STORAGE) private readonly storage: AttachmentStorage) {}

  /** Best effort: a file left behind is only wasted space (nothing serves it without its row). */
  async discard(keys: string[]): Promise<void> {
    for (const key of keys) {
      await this.storage
        .delete(key)
        .catch((e: unknown) => this.logger.warn(`could not delete ${key}: ${String(e)}`));
    }
  }
}
