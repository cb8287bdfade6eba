/** Batches `Message.attachments` for a page of messages: one query for all of them. */
import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import type { RequestLoaders } from '../common/dataloader/request-loaders.js';
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
          new DataLoader<string, Attachment[]>(
            async (ids) => {
              const byMessage = new Map<string, Attachment[]>(ids.map((id) => [id, []]));
              for (const a of await this.attachments.findByMessageIds(ids)) {
                byMessage.get(a.messageId!)?.push(a);
              }
              return ids.map((id) => byMessage.get(id)!);
            },
            // Batching only: a subscription's loaders live as long as it does, and a message
            // is never asked for twice in one page, so a cache would only grow.
            { cache: false },
          ),
      )
      .load(messageId);
  }
}
