/**
 * The one statement of who is in a conversation, as SQL that any module's repository composes
 * into its own single statement (so each stays one atomic round trip). Every reading of
 * membership goes through MEMBERS: departed members keep their row (a `left_at`) for the change
 * stream, and MEMBERS is the one place that leaves them out. PostgreSQL flattens the subquery: plans are those of
 * the bare table.
 *
 * Arguments are SQL expressions (`'$1'`, `'c.id'`, `':userId'`), never values.
 */

/** The current members: a FROM (or JOIN) item with conversation_id, user_id, joined_at, role. */
export const MEMBERS =
  '(SELECT conversation_id, user_id, joined_at, role FROM participants WHERE left_at IS NULL)';

/** True when `userId` is a member of `conversationId`. */
export function isMember(conversationId: string, userId: string): string {
  return `EXISTS (SELECT 1 FROM ${MEMBERS} m WHERE m.conversation_id = ${conversationId} AND m.user_id = ${userId})`;
}

/** The user ids of the members of `conversationId`, as a subquery. */
export function memberIdsOf(conversationId: string): string {
  return `SELECT m.user_id FROM ${MEMBERS} m WHERE m.conversation_id = ${conversationId}`;
}
