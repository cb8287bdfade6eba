/**
 * Attachment statements as SQL that another module's repository composes into its own single
 * statement (as membership.sql.ts does): attachments/ stays the one owner of the table's writes.
 */

/**
 * Removes the attachments of a message being deleted (they stop being served when the
 * statement commits), when `guard` holds; as a data-modifying CTE body, RETURNING storage_key:
 * where their bytes are, to delete after the commit.
 */
export function DETACH_OF_MESSAGE(messageId: string, guard: string): string {
  return `DELETE FROM attachments WHERE message_id = ${messageId} AND ${guard} RETURNING storage_key`;
}
