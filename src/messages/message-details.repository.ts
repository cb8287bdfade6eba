/**
 * What MessageHydrator needs of some messages, read in one statement (one round trip, raw rows
 * mapped once, no entity construction): their attachments, reaction summaries, the messages they
 * reply to, and the users shown (the given ones and the replies' senders). Each part is a JSON
 * array built by PostgreSQL, in the order and with the fields the hydrator's answer carries.
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import type { AttachmentInfo } from '../attachments/attachment-info.js';
import { preparedQuery } from '../database/prepared-query.js';
import type { User } from '../users/user.entity.js';
import type { Message } from './message.entity.js';
import { messageFromRow, type MessageRow } from './message.row.js';
import type { ReactionSummary } from './message-with-details.js';

/**
 * $1: the messages, $2: the messages they reply to, $3: users besides the replies' senders.
 * Timestamps go as text and are parsed by pg's own timestamptz parser, so they are the Dates a
 * plain read of the column gives.
 */
const DETAILS = `
  WITH replies AS (
    SELECT id, conversation_id, seq, sender_id, text, client_message_id,
           created_at::text AS created_at, event_seq, last_change, edited_at::text AS edited_at,
           deleted_at::text AS deleted_at, reply_to_id, mentioned_user_ids
      FROM messages WHERE id = ANY($2::uuid[])
  )
  SELECT
    (SELECT COALESCE(json_agg(json_build_object(
              'messageId', a.message_id, 'id', a.id, 'fileName', a.file_name,
              'contentType', a.content_type, 'size', a.size)
            ORDER BY a.message_id, a.created_at, a.id), '[]')
       FROM attachments a WHERE a.message_id = ANY($1::uuid[])) AS attachments,
    -- Per message and emoji, who reacted in order; emoji in the order each was first used.
    (SELECT COALESCE(json_agg(json_build_object(
              'messageId', s.message_id, 'emoji', s.emoji, 'userIds', s.user_ids)
            ORDER BY s.message_id, s.first_at, s.emoji), '[]')
       FROM (SELECT message_id, emoji, array_agg(user_id ORDER BY created_at, user_id) AS user_ids,
                    min(created_at) AS first_at
               FROM reactions WHERE message_id = ANY($1::uuid[])
              GROUP BY message_id, emoji) s) AS reactions,
    (SELECT COALESCE(json_agg(r), '[]') FROM replies r) AS replies,
    (SELECT COALESCE(json_agg(json_build_object(
              'id', u.id, 'username', u.username, 'displayName', u.display_name,
              'avatarUrl', u.avatar_url, 'createdAt', u.created_at::text,
              'lastSeenAt', u.last_seen_at::text)), '[]')
       FROM users u
      WHERE u.id = ANY($3::uuid[]) OR u.id IN (SELECT sender_id FROM replies)) AS users`;

type TextDates<T, K extends keyof T> = Omit<T, K> & { [P in K]: string | null };

interface DetailsRow {
  attachments: (AttachmentInfo & { messageId: string })[];
  reactions: (ReactionSummary & { messageId: string })[];
  replies: TextDates<MessageRow, 'created_at' | 'edited_at' | 'deleted_at'>[];
  users: TextDates<User, 'createdAt' | 'lastSeenAt'>[];
}

export interface MessageDetailRows {
  attachments: (AttachmentInfo & { messageId: string })[];
  reactions: (ReactionSummary & { messageId: string })[];
  replies: Message[];
  users: User[];
}

const parseTimestamp = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ, 'text') as (
  value: string,
) => Date;
const timestamp = (value: string | null) => (value === null ? null : parseTimestamp(value));

@Injectable()
export class MessageDetailsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Ids are the stored messages' own (uuids). */
  async detailsOf(
    messageIds: readonly string[],
    replyIds: readonly string[],
    userIds: readonly string[],
  ): Promise<MessageDetailRows> {
    const [row] = await preparedQuery<DetailsRow>(this.dataSource, 'message_details', DETAILS, [
      messageIds,
      replyIds,
      userIds,
    ]);
    return {
      attachments: row.attachments,
      reactions: row.reactions,
      replies: row.replies.map((r) =>
        messageFromRow({
          ...r,
          created_at: timestamp(r.created_at)!,
          edited_at: timestamp(r.edited_at),
          deleted_at: timestamp(r.deleted_at),
        }),
      ),
      users: row.users.map((u) => ({
        ...u,
        createdAt: timestamp(u.createdAt)!,
        lastSeenAt: timestamp(u.lastSeenAt),
      })),
    };
  }
}
