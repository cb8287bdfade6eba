/**
 * A messages row as raw SQL returns it (RETURNING, hand-written statements), and its entity:
 * the one mapping of column names to Message fields outside TypeORM's own.
 */
import type { Message, MessageChange } from './message.entity.js';

export const MESSAGE_COLUMNS = `id, conversation_id, seq, sender_id, text, client_message_id,
  created_at, event_seq, last_change, edited_at, deleted_at, reply_to_id, mentioned_user_ids`;

export interface MessageRow {
  id: string;
  conversation_id: string;
  seq: number;
  sender_id: string;
  text: string;
  client_message_id: string | null;
  created_at: Date;
  event_seq: number;
  last_change: MessageChange;
  edited_at: Date | null;
  deleted_at: Date | null;
  reply_to_id: string | null;
  mentioned_user_ids: string[];
}

export function messageFromRow(row: MessageRow): Message {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    seq: row.seq,
    senderId: row.sender_id,
    text: row.text,
    clientMessageId: row.client_message_id,
    createdAt: row.created_at,
    eventSeq: row.event_seq,
    lastChange: row.last_change,
    editedAt: row.edited_at,
    deletedAt: row.deleted_at,
    replyToId: row.reply_to_id,
    mentionedUserIds: row.mentioned_user_ids,
  };
}
