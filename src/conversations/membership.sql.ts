/**
 * The one statement of who is in a conversation, as SQL that any module's repository composes
 * into its own single statement (so each stays one atomic round trip). Every reading of
 * membership goes through MEMBERS: departed members keep their row (a `left_at`) for the change
 * stream, and MEMBERS is the one place that leaves them out. PostgreSQL flattens the subquery: plans are those of
 * the bare table.
 *
 * Arguments are SQL expressions (`'$1'`, `'c.id'`, `':userId'`), never values.
 */
import { blocks } from '../users/blocks/blocks.sql.js';

/** The current members: a FROM (or JOIN) item with conversation_id, user_id, joined_at, role. */
export const MEMBERS =
  '(SELECT conversation_id, user_id, joined_at, role FROM participants WHERE left_at IS NULL)';

/** True when `userId` is a member of `conversationId`. */
export function isMember(conversationId: string, userId: string): string {
  return `EXISTS (SELECT 1 FROM ${MEMBERS} m WHERE m.conversation_id = ${conversationId} AND m.user_id = ${userId})`;
}

/**
 * True when `conversationId` is a direct conversation whose other member blocks `userId`: the one
 * definition of "may not send here", read by the membership check and composed into the send.
 */
export function blockedInDirect(conversationId: string, userId: string): string {
  return `EXISTS (SELECT 1 FROM conversations bc JOIN ${MEMBERS} bm ON bm.conversation_id = bc.id
     WHERE bc.id = ${conversationId} AND bc.is_direct AND bm.user_id <> ${userId}
       AND ${blocks('bm.user_id', userId)})`;
}

/** The user ids of the members of `conversationId`, as a subquery. */
export function memberIdsOf(conversationId: string): string {
  return `SELECT m.user_id FROM ${MEMBERS} m WHERE m.conversation_id = ${conversationId}`;
}
