/**
 * A conversations row as raw SQL returns it (columns of `c`, prefixed so they sit beside other
 * tables' in one statement's answer), and its entity: what TypeORM's own read of the row gives.
 */
import type { Conversation } from './conversation.entity.js';

export const CONVERSATION_COLUMNS = `c.id AS c_id, c.title AS c_title, c.is_direct AS c_is_direct,
  c.direct_key AS c_direct_key, c.created_at AS c_created_at, c.last_message_at AS c_last_message_at,
  c.last_seq AS c_last_seq, c.last_event_seq AS c_last_event_seq, c.event_seq AS c_event_seq,
  c.avatar_attachment_id AS c_avatar_attachment_id`;

export interface ConversationRow {
  c_id: string;
  c_title: string | null;
  c_is_direct: boolean;
  c_direct_key: string | null;
  c_created_at: Date;
  c_last_message_at: Date | null;
  c_last_seq: number;
  c_last_event_seq: number;
  c_event_seq: number;
  c_avatar_attachment_id: string | null;
}

export function conversationFromRow(row: ConversationRow): Conversation {
  return {
    id: row.c_id,
    title: row.c_title,
    isDirect: row.c_is_direct,
    directKey: row.c_direct_key,
    createdAt: row.c_created_at,
    lastMessageAt: row.c_last_message_at,
    lastSeq: row.c_last_seq,
    lastEventSeq: row.c_last_event_seq,
    eventSeq: row.c_event_seq,
    avatarAttachmentId: row.c_avatar_attachment_id,
  };
}
