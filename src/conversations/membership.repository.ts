/**
 * Database access for membership (the participants table, owned by conversations/): the checks
 * other modules ask for, the contact list presence follows, and membership changes. Statements of
 * other modules that need the rule inline compose membership.sql.ts instead.
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { isUuid } from '../common/uuid.js';
import type { User } from '../users/user.entity.js';
import { Conversation } from './conversation.entity.js';
import { blocks } from '../users/blocks/blocks.sql.js';
import { isMember, memberIdsOf, MEMBERS } from './membership.sql.js';
import { Participant } from './participant.entity.js';

/** A bound on one user's contact list (members of huge groups beyond it are not followed). */
export const MAX_CONTACTS = 10_000;

/** Who is in a conversation after an addition, and who of them is new. */
export interface Addition {
  added: string[];
  memberIds: string[];
}

const CONTACTS_OF = `
  SELECT DISTINCT other.user_id
    FROM ${MEMBERS} mine
    JOIN ${MEMBERS} other ON other.conversation_id = mine.conversation_id
   WHERE mine.user_id = $1 AND other.user_id <> $1
   LIMIT ${MAX_CONTACTS}`;

const MEMBER_USERS = `
  SELECT p.conversation_id AS "conversationId", u.id, u.username, u.display_name AS "displayName",
         u.avatar_url AS "avatarUrl", u.created_at AS "createdAt", u.last_seen_at AS "lastSeenAt"
    FROM ${MEMBERS} p JOIN users u ON u.id = p.user_id
   WHERE p.conversation_id = ANY($1::uuid[])
   ORDER BY p.joined_at, u.username`;

/** Deletes the membership; returns who was in the conversation (the leaver too), or nobody. */
const REMOVE = `
  WITH gone AS (DELETE FROM participants WHERE conversation_id = $1 AND user_id = $2 RETURNING 1)
  SELECT user_id FROM (${memberIdsOf('$1')}) before WHERE EXISTS (SELECT 1 FROM gone)`;

const BLOCKED_IN_DIRECT = `
  SELECT EXISTS (
    SELECT 1 FROM conversations c JOIN ${MEMBERS} m ON m.conversation_id = c.id
     WHERE c.id = $1 AND c.is_direct AND m.user_id <> $2 AND ${blocks('m.user_id', '$2')}
  ) AS blocked`;

@Injectable()
export class MembershipRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async isMember(conversationId: string, userId: string): Promise<boolean> {
    if (!isUuid(conversationId)) return false;
    const [row] = await this.dataSource.query<{ member: boolean }[]>(
      `SELECT ${isMember('$1', '$2')} AS member`,
      [conversationId, userId],
    );
    return row.member;
  }

  /** Whether `conversationId` is direct and its other member blocks `userId`. */
  async isBlockedInDirect(conversationId: string, userId: string): Promise<boolean> {
    if (!isUuid(conversationId) || !isUuid(userId)) return false;
    const [row] = await this.dataSource.query<{ blocked: boolean }[]>(BLOCKED_IN_DIRECT, [
      conversationId,
      userId,
    ]);
    return row.blocked;
  }

  /** The other members of the user's conversations: whose presence the user is told. */
  async contactsOf(userId: string): Promise<string[]> {
    if (!isUuid(userId)) return [];
    const rows = await this.dataSource.query<{ user_id: string }[]>(CONTACTS_OF, [userId]);
    return rows.map((r) => r.user_id);
  }

  /** The members of several conversations, as users, in joining order (for batching). */
  async findMemberUsers(
    conversationIds: readonly string[],
  ): Promise<{ conversationId: string; user: User }[]> {
    if (conversationIds.length === 0) return [];
    const rows = await this.dataSource.query<({ conversationId: string } & User)[]>(MEMBER_USERS, [
      [...conversationIds],
    ]);
    return rows.map(({ conversationId, ...user }) => ({ conversationId, user }));
  }

  /** Inserts the first members of a conversation made in `manager`'s transaction. */
  async insertMembers(manager: EntityManager, conversationId: string, userIds: string[]) {
    await manager.insert(
      Participant,
      userIds.map((userId) => ({ conversationId, userId })),
    );
  }

  /**
   * Adds users (those already in are skipped) unless the group would pass `maxMembers`; null
   * then. The conversation row is locked so concurrent additions cannot overshoot together.
   */
  add(conversationId: string, userIds: string[], maxMembers: number): Promise<Addition | null> {
    return this.dataSource.transaction(async (manager) => {
      await manager
        .createQueryBuilder(Conversation, 'c')
        .setLock('pessimistic_write')
        .where('c.id = :conversationId', { conversationId })
        .getOne();
      const rows = await manager.query<{ user_id: string }[]>(memberIdsOf('$1'), [conversationId]);
      const present = new Set(rows.map((r) => r.user_id));
      const added = userIds.filter((id) => !present.has(id));
      if (present.size + added.length > maxMembers) return null;
      if (added.length > 0) await this.insertMembers(manager, conversationId, added);
      return { added, memberIds: [...present, ...added] };
    });
  }

  /** Ends a membership; who was in the conversation until then (empty: the user was not). */
  async remove(conversationId: string, userId: string): Promise<string[]> {
    const rows = await this.dataSource.query<{ user_id: string }[]>(REMOVE, [
      conversationId,
      userId,
    ]);
    return rows.map((r) => r.user_id);
  }
}
