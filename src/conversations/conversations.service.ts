/**
 * Conversations: who may see them (participants only; to anyone else they do not exist),
 * creation (direct pairs are unique), membership changes (announced on the members' channels),
 * and the caller's list (REST's pages with participants: conversation-pages.service.ts).
 */
import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import { BadUserInputError, ForbiddenError, NotFoundError } from '../common/errors/domain-error.js';
import { toForwardConnection, type ConnectionShape } from '../common/pagination/connection.type.js';
import { decodeCursor, encodeCursor } from '../common/pagination/cursor.js';
import { DEFAULT_PAGE_SIZE } from '../common/pagination/pagination.args.js';
import { isUuid } from '../common/uuid.js';
import { RateLimiter } from '../rate-limit/rate-limiter.js';
import { BlocksService } from '../users/blocks/blocks.service.js';
import { UsersRepository } from '../users/users.repository.js';
import type { Conversation } from './conversation.entity.js';
import { ConversationsRepository, type ActivityKey } from './conversations.repository.js';
import { MAX_PARTICIPANTS, type CreateConversationInput } from './dto/create-conversation.input.js';
import { MemberAnnouncer } from './member-announcer.js';
import { ConversationRole } from './participant.entity.js';
import { MembershipRepository } from './membership.repository.js';

const CURSOR_KIND = 'conversation';

@Injectable()
export class ConversationsService {
  constructor(
    private readonly conversations: ConversationsRepository,
    private readonly membership: MembershipRepository,
    private readonly users: UsersRepository,
    private readonly announcer: MemberAnnouncer,
    private readonly rateLimiter: RateLimiter,
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

  /** Whether every one of the users is a current member. */
  async areMembers(conversationId: string, userIds: string[]): Promise<boolean> {
    if (userIds.length === 0) return true;
    return (await this.membership.countMembers(conversationId, userIds)) === userIds.length;
  }

  /** The conversation as it is now, whoever asks (for streams that checked access already). */
  async getById(conversationId: string): Promise<Conversation> {
    const conversation = await this.conversations.findById(conversationId);
    if (!conversation) throw new NotFoundError('Conversation');
    return conversation;
  }

  /**
   * The newest seq of a conversation the user is in; NOT_FOUND otherwise, as getForUser. Calls
   * made in one turn of the event loop (subscriptions resuming at once) share one query.
   */
  lastSeqForMember(conversationId: string, userId: string): Promise<number> {
    return this.lastSeqs.load({ conversationId, userId });
  }

  private readonly lastSeqs = new DataLoader<{ conversationId: string; userId: string }, number>(
    async (pairs) => {
      const found = await this.conversations.lastSeqsForMembers(pairs);
      return pairs.map(
        (p) => found.get(`${p.conversationId}:${p.userId}`) ?? new NotFoundError('Conversation'),
      );
    },
    // No cache (a seq read later must be read then); a batch spans one turn of the event loop,
    // since each socket's message is its own macrotask.
    { cache: false, batchScheduleFn: (run) => setImmediate(run), maxBatchSize: 1000 },
  );

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

  /** Creation and membership changes are announced to every member once committed. */
  async create(userId: string, input: CreateConversationInput): Promise<Conversation> {
    const others = [...new Set(input.participantIds)].filter((id) => id !== userId);
    if (others.length + 1 > MAX_PARTICIPANTS) {
      throw new BadUserInputError(`A conversation has at most ${MAX_PARTICIPANTS} participants`);
    }
    const isDirect = others.length === 1 && !input.title;
    // Group creation is what spam is made of (a fresh account, 200 groups of strangers).
    if (!isDirect) await this.rateLimiter.consume('groups', userId);
    await this.assertUsersExist(others);
    // Nobody starts a conversation with, or puts in a group, someone who blocks them.
    await this.blocks.assertNotBlockedBy(userId, others);
    const memberIds = [userId, ...others];
    const made = isDirect
      ? await this.conversations.findOrCreateDirect(userId, others[0])
      : await this.conversations.createGroup(input.title ?? null, memberIds);
    if (made.members.length > 0) {
      await this.announcer.announce(made.conversation.id, 'created', made.members, memberIds);
    }
    return made.conversation;
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
    await this.assertCanManage(conversationId, userId);
    await this.rateLimiter.consume('groups', userId);
    const ids = [...new Set(userIds)];
    await this.assertUsersExist(ids);
    await this.blocks.assertNotBlockedBy(userId, ids);
    const addition = await this.membership.add(conversationId, ids, MAX_PARTICIPANTS, userId);
    if (!addition) {
      throw new BadUserInputError(`A conversation has at most ${MAX_PARTICIPANTS} participants`);
    }
    if (addition.added.length > 0) {
      await this.announcer.announce(conversationId, 'added', addition.added, addition.memberIds);
    }
    return conversation;
  }

  /** Only a group's OWNER and ADMINs add members (FORBIDDEN for the others). */
  private async assertCanManage(conversationId: string, userId: string): Promise<void> {
    const role = await this.membership.roleOf(conversationId, userId);
    if (role !== ConversationRole.OWNER && role !== ConversationRole.ADMIN) {
      throw new ForbiddenError('Only the owner or an admin can add members');
    }
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
