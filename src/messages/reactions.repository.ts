/** Database access for reactions (owned by messages/): reading them as per-emoji summaries. */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { isUuid } from '../common/uuid.js';
import type { ReactionSummary } from './message-with-details.js';

/** Per message and emoji, who reacted in order; emoji in the order each was first used. */
const SUMMARIES = `
  SELECT message_id, emoji, array_agg(user_id ORDER BY created_at, user_id) AS user_ids
    FROM reactions
   WHERE message_id = ANY($1::uuid[])
   GROUP BY message_id, emoji
   ORDER BY message_id, min(created_at), emoji`;

@Injectable()
export class ReactionsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The reactions of several messages (one index range each). */
  async summariesOf(
    messageIds: readonly string[],
  ): Promise<{ messageId: string; summary: ReactionSummary }[]> {
    const ids = messageIds.filter(isUuid);
    if (ids.length === 0) return [];
    const rows = await this.dataSource.query<
      { message_id: string; emoji: string; user_ids: string[] }[]
    >(SUMMARIES, [ids]);
    return rows.map((r) => ({
      messageId: r.message_id,
      summary: { emoji: r.emoji, userIds: r.user_ids },
    }));
  }
}
