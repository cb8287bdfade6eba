import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateUsers1795654182619 implements MigrationInterface {
  name = 'CreateUsers1795654182619';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "users" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "username" character varying(32) NOT NULL, "display_name" character varying(64) NOT NULL, "avatar_url" character varying(2048), "password_hash" character varying(255) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_seen_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "users_username_lowercase" CHECK (username = lower(username)), CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "users_username_key" ON "users" ("username")`);
    // LIKE 'prefix%' can use a btree index only with pattern ops (the default collation is not C).
    await queryRunner.query(
      `CREATE INDEX "users_username_prefix" ON "users" ("username" varchar_pattern_ops)`,
    );
    await queryRunner.query(
      `CREATE INDEX "users_display_name_prefix" ON "users" (lower("display_name") varchar_pattern_ops)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."users_display_name_prefix"`);
    await queryRunner.query(`DROP INDEX "public"."users_username_prefix"`);
    await queryRunner.query(`DROP INDEX "public"."users_username_key"`);
    await queryRunner.query(`DROP TABLE "users"`);
  }
}
