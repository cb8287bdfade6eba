/**
 * Database access of the change stream itself (the rows it replays are read through the
 * repositories of messages and conversations).
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { isUuid } from '../common/uuid.js';
import { isMember } from '../conversations/membership.sql.js';

/** A subscription asking where its conversation's changes stand. */
export interface MemberPosition {
  conversationId: string;
  userId: string;
}

@Injectable()
export class ChangesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * For each (conversation, user) pair whose user is a member: the conversation's
   * last_event_seq, keyed `conversationId:userId`. One query for the subscriptions resuming at
   * once (a reconnect storm); membership is the one rule (isMember), as in findByIdForUser.
   */
  async lastEventSeqsForMembers(pairs: readonly MemberPosition[]): Promise<Map<string, number>> {
    const valid = pairs.filter((p) => isUuid(p.conversationId) && isUuid(p.userId));
    const result = new Map<string, number>();
    if (valid.length === 0) return result;
    const rows = (await this.dataSource.query(
      `SELECT r.conversation_id::text AS conversation_id, r.user_id::text AS user_id,
              c.last_event_seq
         FROM unnest($1::uuid[], $2::uuid[]) AS r(conversation_id, user_id)
         JOIN conversations c ON c.id = r.conversation_id
        WHERE ${isMember('c.id', 'r.user_id')}`,
      [valid.map((p) => p.conversationId), valid.map((p) => p.userId)],
    )) as { conversation_id: string; user_id: string; last_event_seq: number }[];
    for (const row of rows) result.set(`${row.conversation_id}:${row.user_id}`, row.last_event_seq);
    return result;
  }
}
