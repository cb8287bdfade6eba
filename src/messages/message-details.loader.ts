/** Batches what history pages show of their messages: reply targets and reactions. */
import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import { byKeys, groupByKeys, type RequestLoaders } from '../common/dataloader/request-loaders.js';
import type { Message } from './message.entity.js';
import type { ReactionSummary } from './message-with-details.js';
import { MessagesRepository } from './messages.repository.js';
import { ReactionsRepository } from './reactions.repository.js';

@Injectable()
export class MessageDetailsLoader {
  /** Keys of this service's two loaders in a request's RequestLoaders. */
  private readonly messagesKey = {};
  private readonly reactionsKey = {};

  constructor(
    private readonly messages: MessagesRepository,
    private readonly reactionRows: ReactionsRepository,
  ) {}

  message(loaders: RequestLoaders, id: string): Promise<Message | null> {
    return loaders
      .get(
        this.messagesKey,
        () =>
          new DataLoader<string, Message | null>(async (ids) =>
            byKeys(ids, await this.messages.findByIds(ids), (m) => m.id),
          ),
      )
      .load(id);
  }

  reactions(loaders: RequestLoaders, messageId: string): Promise<ReactionSummary[]> {
    return loaders
      .get(
        this.reactionsKey,
        () =>
          new DataLoader<string, ReactionSummary[]>(async (ids) =>
            groupByKeys(
              ids,
              await this.reactionRows.summariesOf(ids),
              (r) => r.messageId,
              (r) => r.summary,
            ),
          ),
      )
      .load(messageId);
  }
}
