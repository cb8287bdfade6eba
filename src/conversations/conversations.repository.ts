/** Database access for conversations and their participants: named queries only. */
import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { isUuid } from '../common/uuid.js';
import { User } from '../users/user.entity.js';
import { Conversation } from './conversation.entity.js';
import { Participant } from './participant.entity.js';

/** Position in a user's conversation list: last activity, then id (both descending). */
export interface ActivityKey {
  activityAt: Date;
  id: string;
}

@Injectable()
export class ConversationsRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(Conversation) private readonly conversations: Repository<Conversation>,
    @InjectRepository(Participant) private readonly participants: Repository<Participant>,
  ) {}

  async isParticipant(conversationId: string, userId: string): Promise<boolean> {
    if (!isUuid(conversationId)) return false;
    return this.participants.existsBy({ conversationId, userId });
  }

  /** The conversation if the user is in it; null when unknown or not theirs (the same to them). */
  findByIdForUser(conversationId: string, userId: string): Promise<Conversation | null> {
    if (!isUuid(conversationId)) return Promise.resolve(null);
    return this.conversations
      .createQueryBuilder('c')
      .innerJoin(Participant, 'p', 'p.conversation_id = c.id AND p.user_id = :userId', { userId })
      .where('c.id = :conversationId', { conversationId })
      .getOne();
  }

  /**
   * A page of the user's conversations, most recent activity first (a message, or the creation
   * of a conversation without messages), strictly after `after` in that order.
   */
  findPageForUser(
    userId: string,
    after: ActivityKey | undefined,
    limit: number,
  ): Promise<Conversation[]> {
    const activity = 'COALESCE(c.last_message_at, c.created_at)';
    const query = this.conversations
      .createQueryBuilder('c')
      .innerJoin(Participant, 'p', 'p.conversation_id = c.id')
      .where('p.user_id = :userId', { userId })
      .orderBy(activity, 'DESC')
      .addOrderBy('c.id', 'DESC')
      .limit(limit);
    if (after) {
      query.andWhere(`(${activity}, c.id) < (:afterAt, :afterId)`, {
        afterAt: after.activityAt,
        afterId: after.id,
      });
    }
    return query.getMany();
  }

  /** Creates a group with its participants in one transaction. */
  createGroup(title: string | null, userIds: string[]): Promise<Conversation> {
    return this.dataSource.transaction(async (manager) => {
      const conversation = await manager.save(
        manager.create(Conversation, { title, isDirect: false, directKey: null }),
      );
      await manager.insert(
        Participant,
        userIds.map((userId) => ({ conversationId: conversation.id, userId })),
      );
      return conversation;
    });
  }

  /**
   * The direct conversation of a pair, created if missing. Two callers racing for the same pair
   * both end with the one row: the loser's insert waits on the winner's unique key, then yields.
   */
  findOrCreateDirect(userA: string, userB: string): Promise<Conversation> {
    const directKey = [userA, userB].sort().join(':');
    return this.dataSource.transaction(async (manager) => {
      const inserted = await manager
        .createQueryBuilder()
        .insert()
        .into(Conversation)
        .values({ title: null, isDirect: true, directKey })
        .orIgnore()
        .returning('id')
        .execute();
      const created = (inserted.raw as { id: string }[])[0];
      if (created) {
        const id = created.id;
        await manager.insert(Participant, [
          { conversationId: id, userId: userA },
          { conversationId: id, userId: userB },
        ]);
      }
      return manager.findOneByOrFail(Conversation, { directKey });
    });
  }

  /**
   * Adds users (those already in are skipped) unless the group would pass `maxParticipants`.
   * The conversation row is locked so concurrent additions cannot overshoot together.
   * Returns false when the limit would be passed.
   */
  addParticipants(
    conversationId: string,
    userIds: string[],
    maxParticipants: number,
  ): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      await manager
        .createQueryBuilder(Conversation, 'c')
        .setLock('pessimistic_write')
        .where('c.id = :conversationId', { conversationId })
        .getOne();
      const existing = await manager.findBy(Participant, { conversationId });
      const present = new Set(existing.map((p) => p.userId));
      const added = userIds.filter((id) => !present.has(id));
      if (existing.length + added.length > maxParticipants) return false;
      if (added.length > 0) {
        await manager.insert(
          Participant,
          added.map((userId) => ({ conversationId, userId })),
        );
      }
      return true;
    });
  }

  async removeParticipant(conversationId: string, userId: string): Promise<void> {
    await this.participants.delete({ conversationId, userId });
  }

  /** The participants of several conversations, as users, for batching. */
  async findParticipantUsers(
    conversationIds: readonly string[],
  ): Promise<{ conversationId: string; user: User }[]> {
    if (conversationIds.length === 0) return [];
    const rows = await this.dataSource
      .createQueryBuilder()
      .select('p.conversation_id', 'conversationId')
      .addSelect('u.id', 'id')
      .addSelect('u.username', 'username')
      .addSelect('u.display_name', 'displayName')
      .addSelect('u.avatar_url', 'avatarUrl')
      .addSelect('u.created_at', 'createdAt')
      .addSelect('u.last_seen_at', 'lastSeenAt')
      .from(Participant, 'p')
      .innerJoin(User, 'u', 'u.id = p.user_id')
      .where('p.conversation_id = ANY(:conversationIds)', { conversationIds: [...conversationIds] })
      .orderBy('p.joined_at', 'ASC')
      .addOrderBy('u.username', 'ASC')
      .getRawMany<{ conversationId: string } & User>();
    return rows.map(({ conversationId, ...user }) => ({ conversationId, user: user as User }));
  }
}
