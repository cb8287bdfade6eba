import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Avatar images uploaded with POST /me/avatar (issue 16). */
export class Avatars1796180745258 implements MigrationInterface {
  name = 'Avatars1796180745258';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "avatars" ("id" uuid NOT NULL, "user_id" uuid NOT NULL, "content_type" character varying(64) NOT NULL, "size" integer NOT NULL, "sha256" character(64) NOT NULL, "storage_key" character varying(255) NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_224de7bae2014a1557cd9930ed7" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "avatars_user" ON "avatars"  ("user_id", "created_at") `);
    await queryRunner.query(
      `ALTER TABLE "avatars" ADD CONSTRAINT "FK_068bfde144915dbef38bae31808" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "avatars" DROP CONSTRAINT "FK_068bfde144915dbef38bae31808"`,
    );
    await queryRunner.query(`DROP INDEX "public"."avatars_user"`);
    await queryRunner.query(`DROP TABLE "avatars"`);
  }
}
