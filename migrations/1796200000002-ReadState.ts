import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Read state (issue 14): each membership's last_read_seq and muted flag. Members of existing
 * conversations start with everything read, as a member added later would, so an upgrade shows
 * no badges for history nobody was ever told was unread.
 */
export class ReadState1796200000002 implements MigrationInterface {
  name = 'ReadState1796200000002';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "participants" ADD "last_read_seq" integer NOT NULL DEFAULT '0'`,
    );
    await queryRunner.query(
      `ALTER TABLE "participants" ADD "muted" boolean NOT NULL DEFAULT false`,
    );
    await queryRunner.query(
      `UPDATE "participants" p SET "last_read_seq" = c.last_seq
         FROM "conversations" c WHERE c.id = p.conversation_id`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "participants" DROP COLUMN "muted"`);
    await queryRunner.query(`ALTER TABLE "participants" DROP COLUMN "last_read_seq"`);
  }
}
