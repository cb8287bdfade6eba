/** Batches `Conversation.members` for a page: one query for all its conversations. */
import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import { groupByKeys, type RequestLoaders } from '../common/dataloader/request-loaders.js';
import { MembershipRepository } from './membership.repository.js';
import type { Participant } from './participant.entity.js';

@Injectable()
export class MembersLoader {
  constructor(private readonly membership: MembershipRepository) {}

  load(loaders: RequestLoaders, conversationId: string): Promise<Participant[]> {
    return loaders
      .get(
        this,
        () =>
          new DataLoader<string, Participant[]>(async (ids) =>
            groupByKeys(ids, await this.membership.findMembers(ids), (m) => m.conversationId),
          ),
      )
      .load(conversationId);
  }
}
