/**
 * The REST answers' conversations: the caller's page, or one conversation, each with its
 * participants and their count (GraphQL resolves participants per field with loaders instead).
 */
import { Injectable } from '@nestjs/common';
import { groupByKeys } from '../common/dataloader/request-loaders.js';
import type { User } from '../users/user.entity.js';
import type { Conversation } from './conversation.entity.js';
import { ConversationsService } from './conversations.service.js';
import { LISTED_MEMBERS, MembershipRepository } from './membership.repository.js';

/** What the REST answers show of a conversation (mapped in conversation.view.ts). */
export interface ConversationWithParticipants {
  conversation: Conversation;
  participants: User[];
  participantCount: number;
}

export interface ConversationsPage {
  items: ConversationWithParticipants[];
  nextCursor: string | null;
}

@Injectable()
export class ConversationPagesService {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly membership: MembershipRepository,
  ) {}

  /** A page of the caller's conversations with their first participants, and the next cursor. */
  async pageForUser(userId: string, limit: number, cursor?: string): Promise<ConversationsPage> {
    const page = await this.conversations.listForUser(userId, { first: limit, after: cursor });
    const conversations = page.edges.map((e) => e.node);
    return {
      items: await this.withParticipants(conversations, LISTED_MEMBERS),
      nextCursor: page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null,
    };
  }

  /** One conversation of the caller's with all its participants (NOT_FOUND for anyone else). */
  async getWithParticipants(
    conversationId: string,
    userId: string,
  ): Promise<ConversationWithParticipants> {
    const conversation = await this.conversations.getForUser(conversationId, userId);
    const [found] = await this.withParticipants([conversation]);
    return found;
  }

  /** The first `limit` (default: all) participants of each, and how many there are. */
  private async withParticipants(
    conversations: Conversation[],
    limit?: number,
  ): Promise<ConversationWithParticipants[]> {
    const ids = conversations.map((c) => c.id);
    const [users, counts] = await Promise.all([
      this.membership.findMemberUsers(ids, limit),
      this.membership.memberCounts(ids),
    ]);
    const participants = groupByKeys(
      ids,
      users,
      (row) => row.conversationId,
      (row) => row.user,
    );
    return conversations.map((conversation, i) => ({
      conversation,
      participants: participants[i],
      participantCount: counts.get(conversation.id) ?? 0,
    }));
  }
}
