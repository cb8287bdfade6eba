import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Push notifications (issue 17): devices (one per browser subscription) and notification jobs. */
export class PushNotifications1796200017000 implements MigrationInterface {
  name = 'PushNotifications1796200017000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "push_devices" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "session_id" uuid, "kind" character varying(16) NOT NULL, "endpoint" character varying(2048) NOT NULL, "p256dh" character varying(128) NOT NULL, "auth" character varying(64) NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_46b68decfd1164e1a796f48dc4a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "push_devices_endpoint" ON "push_devices"  ("endpoint") `,
    );
    await queryRunner.query(
      `CREATE INDEX "push_devices_session" ON "push_devices"  ("session_id") `,
    );
    await queryRunner.query(`CREATE INDEX "push_devices_user" ON "push_devices"  ("user_id") `);
    await queryRunner.query(
      `CREATE TABLE "push_jobs" ("user_id" uuid NOT NULL, "message_id" uuid NOT NULL, "run_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "attempts" integer NOT NULL DEFAULT '0', "claimed_by" uuid, "sending_at" TIMESTAMP(3) WITH TIME ZONE, "device_ids" uuid array, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_f4a2f438649676fef8234e6f6fc" PRIMARY KEY ("user_id", "message_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "push_jobs_due" ON "push_jobs"  ("run_at") WHERE "sending_at" IS NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE "push_devices" ADD CONSTRAINT "FK_80fd9275e4f18bf43e5b7008a19" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "push_devices" ADD CONSTRAINT "FK_e81e2c10439c101954632b4e659" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "push_jobs" ADD CONSTRAINT "FK_04e154d57523c4d297fba6e4375" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "push_jobs" ADD CONSTRAINT "FK_bbc4cba0c6564315292256b4b7d" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "push_jobs" DROP CONSTRAINT "FK_bbc4cba0c6564315292256b4b7d"`,
    );
    await queryRunner.query(
      `ALTER TABLE "push_jobs" DROP CONSTRAINT "FK_04e154d57523c4d297fba6e4375"`,
    );
    await queryRunner.query(
      `ALTER TABLE "push_devices" DROP CONSTRAINT "FK_e81e2c10439c101954632b4e659"`,
    );
    await queryRunner.query(
      `ALTER TABLE "push_devices" DROP CONSTRAINT "FK_80fd9275e4f18bf43e5b7008a19"`,
    );
    await queryRunner.query(`DROP INDEX "public"."push_jobs_due"`);
    await queryRunner.query(`DROP TABLE "push_jobs"`);
    await queryRunner.query(`DROP INDEX "public"."push_devices_user"`);
    await queryRunner.query(`DROP INDEX "public"."push_devices_session"`);
    await queryRunner.query(`DROP INDEX "public"."push_devices_endpoint"`);
    await queryRunner.query(`DROP TABLE "push_devices"`);
  }
}
