/**
 * Conversations: who may see them (participants only; to anyone else they do not exist),
 * creation (direct pairs are unique), membership changes (announced on the members' channels),
 * and the caller's list.
 */
import { Injectable } from '@nestjs/common';
import { BadUserInputError, ForbiddenError, NotFoundError } from '../common/errors/domain-error.js';
import { toForwardConnection, type ConnectionShape } from '../common/pagination/connection.type.js';
import { decodeCursor, encodeCursor } from '../common/pagination/cursor.js';
import { DEFAULT_PAGE_SIZE } from '../common/pagination/pagination.args.js';
import { groupByKeys } from '../common/dataloader/request-loaders.js';
import { isUuid } from '../common/uuid.js';
import { BlocksService } from '../users/blocks/blocks.service.js';
import { UsersRepository } from '../users/users.repository.js';
import type { Conversation } from './conversation.entity.js';
import type { User } from '../users/user.entity.js';
import { ConversationsRepository, type ActivityKey } from './conversations.repository.js';
import { MAX_PARTICIPANTS, type CreateConversationInput } from './dto/create-conversation.input.js';
import { MembershipEvents } from './membership.events.js';
import { MembershipRepository } from './membership.repository.js';

const CURSOR_KIND = 'conversation';

/** What the REST answers show of a conversation (mapped in conversation.view.ts). */
export interface ConversationWithParticipants {
  conversation: Conversation;
  participants: User[];
}

export interface ConversationsPage {
  items: ConversationWithParticipants[];
  nextCursor: string | null;
}

@Injectable()
export class ConversationsService {
  constructor(
    private readonly conversations: ConversationsRepository,
    private readonly membership: MembershipRepository,
    private readonly users: UsersRepository,
    private readonly events: MembershipEvents,
    private readonly blocks: BlocksService,
  ) {}

  /** FORBIDDEN when the other member of a direct conversation blocks the sender. */
  async assertMaySend(conversationId: string, senderId: string): Promise<void> {
    if (await this.membership.isBlockedInDirect(conversationId, senderId)) {
      throw new ForbiddenError('This user does not accept messages from you');
    }
  }

  /** Throws NOT_FOUND unless the user is a participant (unknown and foreign look the same). */
  async assertParticipant(conversationId: string, userId: string): Promise<void> {
    if (!(await this.membership.isMember(conversationId, userId))) {
      throw new NotFoundError('Conversation');
    }
  }

  async getForUser(conversationId: string, userId: string): Promise<Conversation> {
    const conversation = await this.conversations.findByIdForUser(conversationId, userId);
    if (!conversation) throw new NotFoundError('Conversation');
    return conversation;
  }

  async listForUser(
    userId: string,
    args: { first?: number; after?: string },
  ): Promise<ConnectionShape<Conversation>> {
    const limit = args.first ?? DEFAULT_PAGE_SIZE;
    const after = args.after ? this.decodeCursor(args.after) : undefined;
    const rows = await this.conversations.findPageForUser(userId, after, limit + 1);
    return toForwardConnection(rows, limit, (c) => this.cursorOf(c), after !== undefined);
  }

  /** REST: a page of the caller's conversations with their participants, and the next cursor. */
  async pageForUser(userId: string, limit: number, cursor?: string): Promise<ConversationsPage> {
    const page = await this.listForUser(userId, { first: limit, after: cursor });
    const conversations = page.edges.map((e) => e.node);
    return {
      items: await this.withParticipants(conversations),
      nextCursor: page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null,
    };
  }

  /** REST: one conversation with its participants. */
  async getWithParticipants(
    conversationId: string,
    userId: string,
  ): Promise<ConversationWithParticipants> {
    const [found] = await this.withParticipants([await this.getForUser(conversationId, userId)]);
    return found;
  }

  /** Creation and membership changes are announced to every member once committed. */
  async create(userId: string, input: CreateConversationInput): Promise<Conversation> {
    const others = [...new Set(input.participantIds)].filter((id) => id !== userId);
    if (others.length + 1 > MAX_PARTICIPANTS) {
      throw new BadUserInputError(`A conversation has at most ${MAX_PARTICIPANTS} participants`);
    }
    await this.assertUsersExist(others);
    // Nobody starts a conversation with, or puts in a group, someone who blocks them.
    await this.blocks.assertNotBlockedBy(userId, others);
    const memberIds = [userId, ...others];
    if (others.length === 1 && !input.title) {
      const direct = await this.conversations.findOrCreateDirect(userId, others[0]);
      if (direct.created) await this.announce(direct.conversation.id, 'created', memberIds);
      return direct.conversation;
    }
    const group = await this.conversations.createGroup(input.title ?? null, memberIds);
    await this.announce(group.id, 'created', memberIds);
    return group;
  }

  async addParticipants(
    userId: string,
    conversationId: string,
    userIds: string[],
  ): Promise<Conversation> {
    const conversation = await this.getForUser(conversationId, userId);
    if (conversation.isDirect) {
      throw new BadUserInputError('A direct conversation cannot gain participants; create a group');
    }
    const ids = [...new Set(userIds)];
    await this.assertUsersExist(ids);
    await this.blocks.assertNotBlockedBy(userId, ids);
    const addition = await this.membership.add(conversationId, ids, MAX_PARTICIPANTS);
    if (!addition) {
      throw new BadUserInputError(`A conversation has at most ${MAX_PARTICIPANTS} participants`);
    }
    if (addition.added.length > 0) {
      await this.events.changed(conversationId, 'added', addition.added, addition.memberIds);
    }
    return conversation;
  }

  async leave(userId: string, conversationId: string): Promise<boolean> {
    const conversation = await this.getForUser(conversationId, userId);
    if (conversation.isDirect) throw new BadUserInputError('A direct conversation cannot be left');
    const memberIds = await this.membership.remove(conversationId, userId);
    if (memberIds.length > 0)
      await this.events.changed(conversationId, 'left', [userId], memberIds);
    return true;
  }

  private announce(conversationId: string, change: 'created', memberIds: string[]) {
    return this.events.changed(conversationId, change, memberIds, memberIds);
  }

  private async withParticipants(
    conversations: Conversation[],
  ): Promise<ConversationWithParticipants[]> {
    const ids = conversations.map((c) => c.id);
    const participants = groupByKeys(
      ids,
      await this.membership.findMemberUsers(ids),
      (row) => row.conversationId,
      (row) => row.user,
    );
    return conversations.map((conversation, i) => ({
      conversation,
      participants: participants[i],
    }));
  }

  private async assertUsersExist(ids: string[]): Promise<void> {
    if (ids.some((id) => !isUuid(id)) || (await this.users.countExisting(ids)) !== ids.length) {
      throw new BadUserInputError('Unknown user id in the participants');
    }
  }

  private cursorOf(conversation: Conversation): string {
    const activityAt = conversation.lastMessageAt ?? conversation.createdAt;
    return encodeCursor(CURSOR_KIND, activityAt.toISOString(), conversation.id);
  }

  private decodeCursor(cursor: string): ActivityKey {
    const [at, id] = decodeCursor<[string, string]>(CURSOR_KIND, cursor, ['date', 'string']);
    if (!isUuid(id)) throw new BadUserInputError('Invalid cursor');
    return { activityAt: new Date(at), id };
  }
}
