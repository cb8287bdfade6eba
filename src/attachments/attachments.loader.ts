/** Batches `Message.attachments` for a page of messages: one query for all of them. */
import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import { groupByKeys, type RequestLoaders } from '../common/dataloader/request-loaders.js';
import type { Attachment } from './attachment.entity.js';
import { AttachmentsRepository } from './attachments.repository.js';

@Injectable()
export class AttachmentsLoader {
  constructor(private readonly attachments: AttachmentsRepository) {}

  load(loaders: RequestLoaders, messageId: string): Promise<Attachment[]> {
    return loaders
      .get(
        this,
        () =>
          new DataLoader<string, Attachment[]>(async (ids) =>
            groupByKeys(ids, await this.attachments.findByMessageIds(ids), (a) => a.messageId!),
          ),
      )
      .load(messageId);
  }
}
