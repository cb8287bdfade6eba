import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A user's unattached uploads, summed for UPLOAD_UNATTACHED_QUOTA_BYTES on every upload. */
export class UnattachedQuotaIndex1796200000000 implements MigrationInterface {
  name = 'UnattachedQuotaIndex1796200000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "attachments_unattached_uploader" ON "attachments" ("uploader_id") WHERE "message_id" IS NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."attachments_unattached_uploader"`);
  }
}
