/**
 * Database access for read state: the caller's own columns of the participants table
 * (last_read_seq, muted; owned by conversations/, these two columns written only here and by
 * the send and join statements) and the unread counts, which are arithmetic over seq (see
 * COUNTS), never a stored counter that deletes or races could make drift. Nothing here takes
 * the conversation row's lock.
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { isUuid } from '../common/uuid.js';
import type { Conversation } from '../conversations/conversation.entity.js';
import {
  CONVERSATION_COLUMNS,
  conversationFromRow,
  type ConversationRow,
} from '../conversations/conversation.row.js';
import { memberIdsOf } from '../conversations/membership.sql.js';
import { preparedQuery } from '../database/prepared-query.js';

/** The caller's read state in one conversation. */
export interface ReadState {
  conversationId: string;
  lastReadSeq: number;
  muted: boolean;
  unreadCount: number;
  unreadMentionCount: number;
}

export interface MarkedRead {
  /** The caller's read state after the mark, counts included. */
  state: ReadState;
  /** False when the mark changed nothing (not forward). */
  moved: boolean;
  memberIds: string[];
  /** The conversation as the mark read it (what the mutation answers). */
  conversation: Conversation;
}

/**
 * Unread counts after p.last_read_seq: others' messages, not deleted. Seq has no gaps (the app
 * never removes a message row; a deletion leaves a tombstone) and a member's own messages are
 * never after their lastReadSeq (a send marks its sender's message read in its statement, a joiner
 * starts at the last seq, marks only move forward), so unread is last_seq − last_read_seq minus
 * the tombstones after it: no unread row is read. Mentions are counted among the messages that
 * mention anyone. Both are index-only range scans of small partial indexes (UnreadCountIndexes),
 * where counting the rows read every unread message (the page's added cost was 1.4×).
 */
const COUNTS = `
  JOIN conversations c ON c.id = p.conversation_id
  LEFT JOIN LATERAL (
    SELECT (c.last_seq - p.last_read_seq
            - (SELECT count(*) FROM messages d
                WHERE d.conversation_id = p.conversation_id AND d.seq > p.last_read_seq
                  AND d.deleted_at IS NOT NULL))::int AS unread,
           (SELECT count(*) FROM messages m
             WHERE m.conversation_id = p.conversation_id AND m.seq > p.last_read_seq
               AND m.mentioned_user_ids <> '{}' AND m.deleted_at IS NULL
               AND p.user_id = ANY(m.mentioned_user_ids) AND m.sender_id <> p.user_id)::int
             AS mentions
  ) n ON true`;

const STATES = `
  SELECT p.conversation_id AS "conversationId", p.last_read_seq AS "lastReadSeq", p.muted,
         n.unread AS "unreadCount", n.mentions AS "unreadMentionCount"
    FROM participants p ${COUNTS}
   WHERE p.user_id = $1 AND p.conversation_id = ANY($2::uuid[]) AND p.left_at IS NULL`;

const SUMMARY = `
  SELECT count(*) FILTER (WHERE n.unread > 0)::int AS "conversationCount",
         COALESCE(sum(n.unread), 0)::int AS "messageCount",
         COALESCE(sum(n.mentions), 0)::int AS "mentionCount"
    FROM participants p ${COUNTS}
   WHERE p.user_id = $1 AND p.left_at IS NULL AND NOT p.muted`;

/**
 * Forward only, clamped to the last seq; the conversation row is read, not locked, so readers
 * never queue behind (or slow) sends. `before` is read from the statement's snapshot: under a
 * concurrent mark it may be older than the row, which can only report a move twice, never miss one.
 * It answers the caller's read state after the mark (COUNTS over the updated row) and the
 * conversation it read, which the mutation's answer then shows instead of queries of its own.
 */
const MARK = `
  WITH before AS (
    SELECT last_read_seq FROM participants
     WHERE conversation_id = $1 AND user_id = $2 AND left_at IS NULL
  ), marked AS (
    UPDATE participants p
       SET last_read_seq = GREATEST(p.last_read_seq, LEAST($3::int, c.last_seq))
      FROM conversations c, before b
     WHERE c.id = p.conversation_id AND p.conversation_id = $1 AND p.user_id = $2
       AND p.left_at IS NULL
    RETURNING p.conversation_id, p.user_id, p.last_read_seq, p.muted,
              p.last_read_seq > b.last_read_seq AS moved
  )
  SELECT p.conversation_id AS "conversationId", p.last_read_seq AS "lastReadSeq", p.muted,
         n.unread AS "unreadCount", n.mentions AS "unreadMentionCount", p.moved,
         ARRAY(${memberIdsOf('$1')}) AS "memberIds", ${CONVERSATION_COLUMNS}
    FROM marked p ${COUNTS}`;

type MarkRow = ReadState & ConversationRow & { moved: boolean; memberIds: string[] };

const MUTE = `
  UPDATE participants SET muted = $3
   WHERE conversation_id = $1 AND user_id = $2 AND left_at IS NULL`;

@Injectable()
export class ReadStateRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The user's read state in each of the conversations they are a member of (one query). */
  findStates(userId: string, conversationIds: readonly string[]): Promise<ReadState[]> {
    const valid = conversationIds.filter(isUuid);
    if (valid.length === 0) return Promise.resolve([]);
    return this.dataSource.query<ReadState[]>(STATES, [userId, valid]);
  }

  async summary(
    userId: string,
  ): Promise<{ conversationCount: number; messageCount: number; mentionCount: number }> {
    const [row] = await this.dataSource.query<
      { conversationCount: number; messageCount: number; mentionCount: number }[]
    >(SUMMARY, [userId]);
    return row;
  }

  /** Null when the user is not a member. */
  async markRead(
    conversationId: string,
    userId: string,
    upToSeq: number,
  ): Promise<MarkedRead | null> {
    if (!isUuid(conversationId)) return null;
    // Prepared (planned once per pooled connection), as a send's statement is.
    const [row] = await preparedQuery<MarkRow>(this.dataSource, 'read_mark', MARK, [
      conversationId,
      userId,
      upToSeq,
    ]);
    if (!row) return null;
    return {
      state: {
        conversationId: row.conversationId,
        lastReadSeq: row.lastReadSeq,
        muted: row.muted,
        unreadCount: row.unreadCount,
        unreadMentionCount: row.unreadMentionCount,
      },
      moved: row.moved,
      memberIds: row.memberIds,
      conversation: conversationFromRow(row),
    };
  }

  /** False when the user is not a member. */
  async setMuted(conversationId: string, userId: string, muted: boolean): Promise<boolean> {
    if (!isUuid(conversationId)) return false;
    const [, count] = await this.dataSource.query<[unknown[], number]>(MUTE, [
      conversationId,
      userId,
      muted,
    ]);
    return count > 0;
  }
}
