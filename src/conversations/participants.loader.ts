/** Batches `Conversation.participants` for a page: one query for all its conversations. */
import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import { groupByKeys, type RequestLoaders } from '../common/dataloader/request-loaders.js';
import type { User } from '../users/user.entity.js';
import { MembershipRepository } from './membership.repository.js';

@Injectable()
export class ParticipantsLoader {
  constructor(private readonly membership: MembershipRepository) {}

  load(loaders: RequestLoaders, conversationId: string): Promise<User[]> {
    return loaders
      .get(
        this,
        () =>
          new DataLoader<string, User[]>(async (ids) =>
            groupByKeys(
              ids,
              await this.membership.findMemberUsers(ids),
              (row) => row.conversationId,
              (row) => row.user,
            ),
          ),
      )
      .load(conversationId);
  }
}
