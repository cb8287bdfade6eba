import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Group avatars are uploads no message took: the sweep of such uploads looks them up here. */
export class ConversationAvatars1795700100000 implements MigrationInterface {
  name = 'ConversationAvatars1795700100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "conversations_avatar" ON "conversations"  ("avatar_attachment_id") WHERE "avatar_attachment_id" IS NOT NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."conversations_avatar"`);
  }
}
