/**
 * Database access for conversations: named queries only. Membership rows are
 * MembershipRepository's; the queries here state membership through membership.sql.ts.
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { isUuid } from '../common/uuid.js';
import { Conversation } from './conversation.entity.js';
import { MembershipRepository } from './membership.repository.js';
import { isMember, MEMBERS } from './membership.sql.js';
import { ConversationRole, type Participant } from './participant.entity.js';

/** A conversation just made, with the memberships it began with (in eventSeq order). */
export interface NewConversation {
  conversation: Conversation;
  members: Participant[];
}

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
    private readonly membership: MembershipRepository,
  ) {}

  findById(conversationId: string): Promise<Conversation | null> {
    if (!isUuid(conversationId)) return Promise.resolve(null);
    return this.conversations.findOneBy({ id: conversationId });
  }

  /** The conversation if the user is in it; null when unknown or not theirs (the same to them). */
  findByIdForUser(conversationId: string, userId: string): Promise<Conversation | null> {
    if (!isUuid(conversationId)) return Promise.resolve(null);
    return this.conversations
      .createQueryBuilder('c')
      .where('c.id = :conversationId', { conversationId })
      .andWhere(isMember('c.id', ':userId'), { userId })
      .getOne();
  }

  /**
   * For each (conversation, user) pair whose user is a member: the conversation's last_seq, keyed
   * `conversationId:userId`. One query for a batch of subscriptions starting at once (a reconnect
   * storm); the membership rule is findByIdForUser's (isMember).
   */
  async lastSeqsForMembers(
    pairs: readonly { conversationId: string; userId: string }[],
  ): Promise<Map<string, number>> {
    const valid = pairs.filter((p) => isUuid(p.conversationId) && isUuid(p.userId));
    const result = new Map<string, number>();
    if (valid.length === 0) return result;
    const rows = (await this.dataSource.query(
      `SELECT r.conversation_id::text AS conversation_id, r.user_id::text AS user_id, c.last_seq
         FROM unnest($1::uuid[], $2::uuid[]) AS r(conversation_id, user_id)
         JOIN conversations c ON c.id = r.conversation_id
        WHERE ${isMember('c.id', 'r.user_id')}`,
      [valid.map((p) => p.conversationId), valid.map((p) => p.userId)],
    )) as { conversation_id: string; user_id: string; last_seq: number }[];
    for (const row of rows) result.set(`${row.conversation_id}:${row.user_id}`, row.last_seq);
    return result;
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
      .innerJoin(MEMBERS, 'p', 'p.conversation_id = c.id')
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

  /**
   * Creates a group with its members in one transaction: the creator (first) is its OWNER, and
   * each member's joining is one change, eventSeq 1..N.
   */
  createGroup(title: string | null, userIds: string[]): Promise<NewConversation> {
    return this.dataSource.transaction(async (manager) => {
      const conversation = await manager.save(
        manager.create(Conversation, {
          title,
          isDirect: false,
          directKey: null,
          lastEventSeq: userIds.length,
        }),
      );
      const members = await this.membership.join(
        manager,
        conversation.id,
        userIds.map((userId, i) => ({
          userId,
          role: i === 0 ? ConversationRole.OWNER : ConversationRole.MEMBER,
        })),
        0,
        userIds[0],
      );
      return { conversation, members };
    });
  }

  /**
   * The direct conversation of a pair, created if missing (`created` says whether by this call).
   * Two callers racing for the same pair both end with the one row: the loser's insert waits on
   * the winner's unique key, then yields.
   */
  findOrCreateDirect(
    userA: string,
    userB: string,
  ): Promise<NewConversation & { created: boolean }> {
    const directKey = [userA, userB].sort().join(':');
    return this.dataSource.transaction(async (manager) => {
      const inserted = await manager
        .createQueryBuilder()
        .insert()
        .into(Conversation)
        .values({ title: null, isDirect: true, directKey, lastEventSeq: 2 })
        .orIgnore()
        .returning('id')
        .execute();
      const created = (inserted.raw as { id: string }[])[0];
      // Direct conversations have no roles: two MEMBERs.
      const members = created
        ? await this.membership.join(
            manager,
            created.id,
            [userA, userB].map((userId) => ({ userId, role: ConversationRole.MEMBER })),
            0,
            userA,
          )
        : [];
      const conversation = await manager.findOneByOrFail(Conversation, { directKey });
      return { conversation, members, created: Boolean(created) };
    });
  }
}
