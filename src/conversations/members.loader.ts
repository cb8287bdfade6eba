/** Batches `Conversation.members` for a page: one query for all its conversations. */
import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import { groupByKeys, type RequestLoaders } from '../common/dataloader/request-loaders.js';
import { LISTED_MEMBERS, MembershipRepository } from './membership.repository.js';
import type { Participant } from './participant.entity.js';

@Injectable()
export class MembersLoader {
  /** The loader key of the capped list (`this` keys the full one). */
  private readonly capped = {};

  constructor(private readonly membership: MembershipRepository) {}

  load(loaders: RequestLoaders, conversationId: string, inPage = false): Promise<Participant[]> {
    const limit = inPage ? LISTED_MEMBERS : undefined;
    return loaders
      .get(
        inPage ? this.capped : this,
        () =>
          new DataLoader<string, Participant[]>(async (ids) =>
            groupByKeys(
              ids,
              await this.membership.findMembers(ids, limit),
              (m) => m.conversationId,
            ),
          ),
      )
      .load(conversationId);
  }
}
