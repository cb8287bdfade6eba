/**
 * Whether one user blocks another, as SQL that another module's repository composes into its own
 * single statement (as membership.sql.ts is). Arguments are SQL expressions, never values.
 */
export function blocks(blockerId: string, blockedId: string): string {
  return `EXISTS (SELECT 1 FROM user_blocks b WHERE b.blocker_id = ${blockerId} AND b.blocked_id = ${blockedId})`;
}
