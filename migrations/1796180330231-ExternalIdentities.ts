import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Users of an external identity provider, keyed by (iss, sub), without a password (issue 16). */
export class ExternalIdentities1796180330231 implements MigrationInterface {
  name = 'ExternalIdentities1796180330231';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" ADD "external_issuer" character varying(255)`);
    await queryRunner.query(`ALTER TABLE "users" ADD "external_subject" character varying(255)`);
    await queryRunner.query(`ALTER TABLE "users" ALTER COLUMN "password_hash" DROP NOT NULL`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "users_external_identity" ON "users"  ("external_issuer", "external_subject") WHERE "external_issuer" IS NOT NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."users_external_identity"`);
    // Accounts without a password cannot exist before this migration.
    await queryRunner.query(`DELETE FROM "users" WHERE "password_hash" IS NULL`);
    await queryRunner.query(`ALTER TABLE "users" ALTER COLUMN "password_hash" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "external_subject"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "external_issuer"`);
  }
}
