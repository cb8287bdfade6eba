import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Unread counts without counting every unread row (issue 19): unread is arithmetic over seq
 * (last_seq − last_read_seq) minus the tombstones after last_read_seq, and mentions are counted
 * among the few messages that mention anyone. Both partial indexes are small, and both counts
 * are index-only range scans on (conversation_id, seq).
 */
export class UnreadCountIndexes1796300000019 implements MigrationInterface {
  name = 'UnreadCountIndexes1796300000019';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "messages_deleted_seq" ON "messages" ("conversation_id", "seq") WHERE "deleted_at" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "messages_mentions_seq" ON "messages" ("conversation_id", "seq")
         INCLUDE ("sender_id", "mentioned_user_ids")
         WHERE "mentioned_user_ids" <> '{}' AND "deleted_at" IS NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."messages_mentions_seq"`);
    await queryRunner.query(`DROP INDEX "public"."messages_deleted_seq"`);
  }
}
