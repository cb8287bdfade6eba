/** Batches `Conversation.participants` for a page: one query for all its conversations. */
import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import type { RequestLoaders } from '../common/dataloader/request-loaders.js';
import type { User } from '../users/user.entity.js';
import { ConversationsRepository } from './conversations.repository.js';

@Injectable()
export class ParticipantsLoader {
  constructor(private readonly conversations: ConversationsRepository) {}

  load(loaders: RequestLoaders, conversationId: string): Promise<User[]> {
    return loaders
      .get(
        this,
        () =>
          new DataLoader<string, User[]>(async (ids) => {
            const rows = await this.conversations.findParticipantUsers(ids);
            const byConversation = new Map<string, User[]>(ids.map((id) => [id, []]));
            for (const row of rows) byConversation.get(row.conversationId)!.push(row.user);
            return ids.map((id) => byConversation.get(id)!);
          }),
      )
      .load(conversationId);
  }
}
