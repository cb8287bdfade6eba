import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One ordered change stream per conversation (issue 13): the eventSeq counter on conversations,
 * every message and membership stamped with the eventSeq of its latest change, edits and
 * tombstones, replies, mentions, reactions, roles, departed members kept with left_at.
 * Existing data is numbered without gaps: each message's creation takes its seq, then each
 * membership a number after the last message; every group's earliest member becomes its owner.
 */
export class ChangeStream1795700000000 implements MigrationInterface {
  name = 'ChangeStream1795700000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "reactions" ("message_id" uuid NOT NULL, "emoji" character varying(64) NOT NULL, "user_id" uuid NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d19564cf772d6b6f7a3bbfd7a21" PRIMARY KEY ("message_id", "emoji", "user_id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "conversations" ADD "last_event_seq" integer NOT NULL DEFAULT '0'`,
    );
    await queryRunner.query(
      `ALTER TABLE "conversations" ADD "event_seq" integer NOT NULL DEFAULT '0'`,
    );
    await queryRunner.query(`ALTER TABLE "conversations" ADD "avatar_attachment_id" uuid`);
    await queryRunner.query(
      `ALTER TABLE "participants" ADD "role" character varying(6) NOT NULL DEFAULT 'MEMBER'`,
    );
    await queryRunner.query(`ALTER TABLE "participants" ADD "left_at" TIMESTAMP(3) WITH TIME ZONE`);
    await queryRunner.query(
      `ALTER TABLE "participants" ADD "event_seq" integer NOT NULL DEFAULT '0'`,
    );
    await queryRunner.query(
      `ALTER TABLE "participants" ADD "last_change" character varying(20) NOT NULL DEFAULT 'MEMBER_JOINED'`,
    );
    await queryRunner.query(`ALTER TABLE "participants" ADD "actor_id" uuid`);
    await queryRunner.query(`ALTER TABLE "messages" ADD "event_seq" integer`);
    await queryRunner.query(
      `ALTER TABLE "messages" ADD "last_change" character varying(20) NOT NULL DEFAULT 'MESSAGE_CREATED'`,
    );
    await queryRunner.query(`ALTER TABLE "messages" ADD "edited_at" TIMESTAMP(3) WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "messages" ADD "deleted_at" TIMESTAMP(3) WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "messages" ADD "reply_to_id" uuid`);
    await queryRunner.query(
      `ALTER TABLE "messages" ADD "mentioned_user_ids" uuid array NOT NULL DEFAULT '{}'`,
    );

    // Existing data, numbered 1..n per conversation without gaps.
    await queryRunner.query(`UPDATE "messages" SET "event_seq" = "seq"`);
    await queryRunner.query(`ALTER TABLE "messages" ALTER COLUMN "event_seq" SET NOT NULL`);
    await queryRunner.query(
      `UPDATE "participants" p SET "event_seq" = n.event_seq
         FROM (SELECT p2.conversation_id, p2.user_id,
                      c.last_seq + row_number() OVER (PARTITION BY p2.conversation_id
                                                      ORDER BY p2.joined_at, p2.user_id) AS event_seq
                 FROM "participants" p2 JOIN "conversations" c ON c.id = p2.conversation_id) n
        WHERE n.conversation_id = p.conversation_id AND n.user_id = p.user_id`,
    );
    await queryRunner.query(
      `UPDATE "conversations" c SET "last_event_seq" = c.last_seq +
         (SELECT count(*) FROM "participants" p WHERE p.conversation_id = c.id)`,
    );
    await queryRunner.query(
      `UPDATE "participants" p SET "role" = 'OWNER'
         FROM (SELECT DISTINCT ON (p2.conversation_id) p2.conversation_id, p2.user_id
                 FROM "participants" p2 JOIN "conversations" c ON c.id = p2.conversation_id
                WHERE NOT c.is_direct
                ORDER BY p2.conversation_id, p2.joined_at, p2.user_id) o
        WHERE o.conversation_id = p.conversation_id AND o.user_id = p.user_id`,
    );

    await queryRunner.query(
      `CREATE UNIQUE INDEX "participants_one_owner" ON "participants"  ("conversation_id") WHERE "role" = 'OWNER' AND "left_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "participants_events" ON "participants"  ("conversation_id", "event_seq") `,
    );
    await queryRunner.query(
      `CREATE INDEX "messages_events" ON "messages"  ("conversation_id", "event_seq") `,
    );
    await queryRunner.query(
      `ALTER TABLE "participants" ADD CONSTRAINT "participants_role" CHECK ("role" IN ('OWNER', 'ADMIN', 'MEMBER'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "conversations" ADD CONSTRAINT "FK_8b42df6c448bcccf2ed2d533338" FOREIGN KEY ("avatar_attachment_id") REFERENCES "attachments"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "participants" ADD CONSTRAINT "FK_fc83ab18c2c6b0c345e71738aba" FOREIGN KEY ("actor_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "messages" ADD CONSTRAINT "FK_54e66104dd534ed1c191e44096f" FOREIGN KEY ("reply_to_id") REFERENCES "messages"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "reactions" ADD CONSTRAINT "FK_2ee227780745018b358237c0ad7" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "reactions" ADD CONSTRAINT "FK_dde6062145a93649adc5af3946e" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "reactions" DROP CONSTRAINT "FK_dde6062145a93649adc5af3946e"`,
    );
    await queryRunner.query(
      `ALTER TABLE "reactions" DROP CONSTRAINT "FK_2ee227780745018b358237c0ad7"`,
    );
    await queryRunner.query(
      `ALTER TABLE "messages" DROP CONSTRAINT "FK_54e66104dd534ed1c191e44096f"`,
    );
    await queryRunner.query(
      `ALTER TABLE "participants" DROP CONSTRAINT "FK_fc83ab18c2c6b0c345e71738aba"`,
    );
    await queryRunner.query(
      `ALTER TABLE "conversations" DROP CONSTRAINT "FK_8b42df6c448bcccf2ed2d533338"`,
    );
    await queryRunner.query(`ALTER TABLE "participants" DROP CONSTRAINT "participants_role"`);
    await queryRunner.query(`DROP INDEX "public"."messages_events"`);
    await queryRunner.query(`DROP INDEX "public"."participants_events"`);
    await queryRunner.query(`DROP INDEX "public"."participants_one_owner"`);
    // Memberships that ended did not exist before this migration.
    await queryRunner.query(`DELETE FROM "participants" WHERE "left_at" IS NOT NULL`);
    for (const column of [
      'mentioned_user_ids',
      'reply_to_id',
      'deleted_at',
      'edited_at',
      'last_change',
      'event_seq',
    ]) {
      await queryRunner.query(`ALTER TABLE "messages" DROP COLUMN "${column}"`);
    }
    for (const column of ['actor_id', 'last_change', 'event_seq', 'left_at', 'role']) {
      await queryRunner.query(`ALTER TABLE "participants" DROP COLUMN "${column}"`);
    }
    for (const column of ['avatar_attachment_id', 'event_seq', 'last_event_seq']) {
      await queryRunner.query(`ALTER TABLE "conversations" DROP COLUMN "${column}"`);
    }
    await queryRunner.query(`DROP TABLE "reactions"`);
  }
}
