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
import { advanceEventSeq, lockConversation } from './event-seq.sql.js';
import { blockedInDirect, isMember, memberIdsOf, MEMBERS } from './membership.sql.js';
import { ConversationRole, type Participant } from './participant.entity.js';

/** A bound on one user's contact list (members of huge groups beyond it are not followed). */
export const MAX_CONTACTS = 10_000;

/** Members listed per conversation in a page of conversations; the single query lists all. */
export const LISTED_MEMBERS = 50;

/** Who is in a conversation after an addition, and the memberships it began. */
export interface Addition {
  added: Participant[];
  memberIds: string[];
}

export const PARTICIPANT_COLUMNS = `conversation_id AS "conversationId", user_id AS "userId",
  joined_at AS "joinedAt", role, left_at AS "leftAt", event_seq AS "eventSeq",
  last_change AS "lastChange", actor_id AS "actorId", last_read_seq AS "lastReadSeq", muted`;

/**
 * Begins memberships, each with its own eventSeq ($3 + its position): new rows, or departed
 * members' rows begun anew (same key, fresh joined_at and role). Members already in are not
 * listed by the caller.
 */
const JOIN = `
  INSERT INTO participants AS p
         (conversation_id, user_id, role, event_seq, last_change, actor_id, joined_at,
          last_read_seq)
  SELECT $1, j.user_id, j.role, $3 + j.n, 'MEMBER_JOINED', $4, clock_timestamp(),
         -- A late joiner has read everything sent before joining (read under the lock).
         (SELECT last_seq FROM conversations WHERE id = $1)
    FROM unnest($2::uuid[], $5::varchar[]) WITH ORDINALITY AS j(user_id, role, n)
      ON CONFLICT (conversation_id, user_id) DO UPDATE
     SET role = EXCLUDED.role, event_seq = EXCLUDED.event_seq, last_change = 'MEMBER_JOINED',
         actor_id = EXCLUDED.actor_id, joined_at = EXCLUDED.joined_at, left_at = NULL,
         last_read_seq = EXCLUDED.last_read_seq
   WHERE p.left_at IS NOT NULL
  RETURNING ${PARTICIPANT_COLUMNS}`;

const CONTACTS_OF = `
  SELECT DISTINCT other.user_id
    FROM ${MEMBERS} mine
    JOIN ${MEMBERS} other ON other.conversation_id = mine.conversation_id
   WHERE mine.user_id = $1 AND other.user_id <> $1
   LIMIT ${MAX_CONTACTS}`;

/**
 * The first $2 members of each conversation in $1 as users, in joining order: a LIMIT per
 * conversation (a NULL $2 is no limit), so a page of large groups stays one bounded query.
 */
const MEMBER_USERS = `
  SELECT c.id AS "conversationId", m.id, m.username, m."displayName", m."avatarUrl",
         m."createdAt", m."lastSeenAt"
    FROM unnest($1::uuid[]) AS c(id)
   CROSS JOIN LATERAL (
         SELECT u.id, u.username, u.display_name AS "displayName", u.avatar_url AS "avatarUrl",
                u.created_at AS "createdAt", u.last_seen_at AS "lastSeenAt", p.joined_at
           FROM ${MEMBERS} p JOIN users u ON u.id = p.user_id
          WHERE p.conversation_id = c.id
          ORDER BY p.joined_at, u.username
          LIMIT $2) m
   ORDER BY m.joined_at, m.username`;

/** The first $2 current memberships of each conversation in $1 (NULL: all), in joining order. */
const MEMBERSHIPS = `
  SELECT m.* FROM unnest($1::uuid[]) AS c(id)
   CROSS JOIN LATERAL (
         SELECT ${PARTICIPANT_COLUMNS} FROM participants
          WHERE conversation_id = c.id AND left_at IS NULL
          ORDER BY joined_at, user_id
          LIMIT $2) m
   ORDER BY m."joinedAt", m."userId"`;

const MEMBER_COUNTS = `
  SELECT conversation_id AS "conversationId", count(*)::int AS count
    FROM ${MEMBERS} p WHERE p.conversation_id = ANY($1::uuid[])
   GROUP BY conversation_id`;

const BLOCKED_IN_DIRECT = `SELECT ${blockedInDirect('$1', '$2')} AS blocked`;

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

  /** The member's role; null when not a member. */
  async roleOf(conversationId: string, userId: string): Promise<ConversationRole | null> {
    if (!isUuid(conversationId)) return null;
    const [row] = await this.dataSource.query<{ role: ConversationRole }[]>(
      `SELECT role FROM ${MEMBERS} m WHERE m.conversation_id = $1 AND m.user_id = $2`,
      [conversationId, userId],
    );
    return row?.role ?? null;
  }

  /** How many of the (distinct) users are current members. */
  async countMembers(conversationId: string, userIds: string[]): Promise<number> {
    if (!isUuid(conversationId) || !userIds.every(isUuid)) return 0;
    const [row] = await this.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM ${MEMBERS} m WHERE m.conversation_id = $1 AND m.user_id = ANY($2::uuid[])`,
      [conversationId, userIds],
    );
    return row.n;
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

  /** The first `limit` (default: all) members of several conversations, as users (batching). */
  async findMemberUsers(
    conversationIds: readonly string[],
    limit?: number,
  ): Promise<{ conversationId: string; user: User }[]> {
    if (conversationIds.length === 0) return [];
    const rows = await this.dataSource.query<({ conversationId: string } & User)[]>(MEMBER_USERS, [
      [...conversationIds],
      limit ?? null,
    ]);
    return rows.map(({ conversationId, ...user }) => ({ conversationId, user }));
  }

  /** The first `limit` (default: all) current members of several conversations (batching). */
  findMembers(conversationIds: readonly string[], limit?: number): Promise<Participant[]> {
    if (conversationIds.length === 0) return Promise.resolve([]);
    return this.dataSource.query<Participant[]>(MEMBERSHIPS, [[...conversationIds], limit ?? null]);
  }

  /** How many current members each of several conversations has (absent: none). */
  async memberCounts(conversationIds: readonly string[]): Promise<Map<string, number>> {
    if (conversationIds.length === 0) return new Map();
    const rows = await this.dataSource.query<{ conversationId: string; count: number }[]>(
      MEMBER_COUNTS,
      [[...conversationIds]],
    );
    return new Map(rows.map((r) => [r.conversationId, r.count]));
  }

  /**
   * Memberships of a conversation whose latest change has afterEventSeq < eventSeq <
   * beforeEventSeq, departed ones included, in eventSeq order (index range scan).
   */
  findChangedAfter(
    conversationId: string,
    afterEventSeq: number,
    beforeEventSeq: number | undefined,
    limit: number,
  ): Promise<Participant[]> {
    return this.dataSource.query<Participant[]>(
      `SELECT ${PARTICIPANT_COLUMNS} FROM participants
        WHERE conversation_id = $1 AND event_seq > $2 AND ($3::int IS NULL OR event_seq < $3)
        ORDER BY event_seq LIMIT $4`,
      [conversationId, afterEventSeq, beforeEventSeq ?? null, limit],
    );
  }

  /**
   * Begins memberships in `manager`'s transaction, which holds the conversation's lock: they
   * take the eventSeqs after `lastEventSeq`, in order (the caller advances the counter).
   */
  async join(
    manager: EntityManager,
    conversationId: string,
    members: { userId: string; role: ConversationRole }[],
    lastEventSeq: number,
    actorId: string | null,
  ): Promise<Participant[]> {
    if (members.length === 0) return [];
    const rows = await manager.query<Participant[]>(JOIN, [
      conversationId,
      members.map((m) => m.userId),
      lastEventSeq,
      actorId,
      members.map((m) => m.role),
    ]);
    return rows.sort((a, b) => a.eventSeq - b.eventSeq);
  }

  /**
   * Adds users (those already in are skipped) unless the group would pass `maxMembers`; null
   * then. Under the conversation's lock, so concurrent additions cannot overshoot together and
   * each new member takes the next eventSeq.
   */
  add(
    conversationId: string,
    userIds: string[],
    maxMembers: number,
    actorId: string,
  ): Promise<Addition | null> {
    return this.dataSource.transaction(async (manager) => {
      const locked = await lockConversation(manager, conversationId);
      if (!locked) return null;
      const rows = await manager.query<{ user_id: string }[]>(memberIdsOf('$1'), [conversationId]);
      const present = new Set(rows.map((r) => r.user_id));
      const adding = userIds.filter((id) => !present.has(id));
      if (present.size + adding.length > maxMembers) return null;
      const added = await this.join(
        manager,
        conversationId,
        adding.map((userId) => ({ userId, role: ConversationRole.MEMBER })),
        locked.lastEventSeq,
        actorId,
      );
      if (added.length > 0) await advanceEventSeq(manager, conversationId, added.length);
      return { added, memberIds: [...present, ...adding] };
    });
  }
}
