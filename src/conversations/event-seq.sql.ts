/**
 * The change counter of a conversation (conversations.last_event_seq), for every repository whose
 * statement changes a conversation: each change takes the next number while holding the
 * conversation row's lock, in the transaction of the change, so numbers are 1, 2, 3… without
 * gaps, in commit order. A refused change rolls back and uses none.
 */
import type { EntityManager } from 'typeorm';
import { isUuid } from '../common/uuid.js';

export interface LockedConversation {
  lastEventSeq: number;
  isDirect: boolean;
}

/**
 * Locks the conversation row until the transaction ends (every change of the conversation waits
 * here, so what is read after this is current) and answers its counter; null when unknown.
 */
export async function lockConversation(
  manager: EntityManager,
  conversationId: string,
): Promise<LockedConversation | null> {
  if (!isUuid(conversationId)) return null;
  const rows = await manager.query<{ last_event_seq: number; is_direct: boolean }[]>(
    'SELECT last_event_seq, is_direct FROM conversations WHERE id = $1 FOR UPDATE',
    [conversationId],
  );
  return rows[0] ? { lastEventSeq: rows[0].last_event_seq, isDirect: rows[0].is_direct } : null;
}

/** The same lock, found through one of the conversation's messages (one round trip). */
export async function lockConversationOfMessage(
  manager: EntityManager,
  messageId: string,
): Promise<LockedConversation | null> {
  if (!isUuid(messageId)) return null;
  const rows = await manager.query<{ last_event_seq: number; is_direct: boolean }[]>(
    `SELECT last_event_seq, is_direct FROM conversations
      WHERE id = (SELECT conversation_id FROM messages WHERE id = $1) FOR UPDATE`,
    [messageId],
  );
  return rows[0] ? { lastEventSeq: rows[0].last_event_seq, isDirect: rows[0].is_direct } : null;
}

/** Records that `count` changes took the numbers after the locked counter. */
export async function advanceEventSeq(
  manager: EntityManager,
  conversationId: string,
  count: number,
): Promise<void> {
  await manager.query(
    'UPDATE conversations SET last_event_seq = last_event_seq + $2 WHERE id = $1',
    [conversationId, count],
  );
}
