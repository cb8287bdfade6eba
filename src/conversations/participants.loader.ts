/**
 * Batches `Conversation.participants` and `participantCount` for a page: one query each for all
 * its conversations. A page lists the first LISTED_MEMBERS; a single conversation lists all.
 */
import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import { groupByKeys, type RequestLoaders } from '../common/dataloader/request-loaders.js';
import type { User } from '../users/user.entity.js';
import { LISTED_MEMBERS, MembershipRepository } from './membership.repository.js';

@Injectable()
export class ParticipantsLoader {
  /** Loader keys besides `this` (all members): the capped list and the counts. */
  private readonly capped = {};
  private readonly counts = {};

  constructor(private readonly membership: MembershipRepository) {}

  load(loaders: RequestLoaders, conversationId: string, inPage = false): Promise<User[]> {
    const limit = inPage ? LISTED_MEMBERS : undefined;
    return loaders
      .get(
        inPage ? this.capped : this,
        () =>
          new DataLoader<string, User[]>(async (ids) =>
            groupByKeys(
              ids,
              await this.membership.findMemberUsers(ids, limit),
              (row) => row.conversationId,
              (row) => row.user,
            ),
          ),
      )
      .load(conversationId);
  }

  count(loaders: RequestLoaders, conversationId: string): Promise<number> {
    return loaders
      .get(
        this.counts,
        () =>
          new DataLoader<string, number>(async (ids) => {
            const counts = await this.membership.memberCounts(ids);
            return ids.map((id) => counts.get(id) ?? 0);
          }),
      )
      .load(conversationId);
  }
}
