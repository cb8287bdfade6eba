/** Batches `Conversation.lastMessage` for a page: one query for all its conversations. */
import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import { byKeys, type RequestLoaders } from '../common/dataloader/request-loaders.js';
import type { Message } from './message.entity.js';
import { MessagesRepository } from './messages.repository.js';

@Injectable()
export class LastMessageLoader {
  constructor(private readonly messages: MessagesRepository) {}

  load(loaders: RequestLoaders, conversationId: string): Promise<Message | null> {
    return loaders
      .get(
        this,
        () =>
          new DataLoader<string, Message | null>(async (ids) =>
            byKeys(ids, await this.messages.findLastOfConversations(ids), (m) => m.conversationId),
          ),
      )
      .load(conversationId);
  }
}
