import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Message search (issue 15), all inside PostgreSQL so the index never falls behind the messages
 * and the permission filter sits in the same SQL:
 * - `search_vector`: words of the current text, lowercased and unaccented, with the `simple`
 *   configuration (no stemming or stop words, so no language surprises another); empty for
 *   tombstones. GIN-indexed together with conversation_id (btree_gin) so one index scan applies
 *   both the words and the caller's conversations.
 * - a pg_trgm GIN index on the same folded text, for scripts written without spaces (Chinese,
 *   Japanese…), which match by substring.
 * unaccent() is only STABLE (its dictionary could change), which a generated column or an index
 * refuses: chat_unaccent names the dictionary explicitly and is declared IMMUTABLE.
 */
const SEARCH_VECTOR = `CASE WHEN "deleted_at" IS NULL THEN to_tsvector('simple'::regconfig, chat_fold("text")) ELSE ''::tsvector END`;

export class MessageSearch1796200000001 implements MigrationInterface {
  name = 'MessageSearch1796200000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS unaccent`);
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS btree_gin`);
    await queryRunner.query(
      `CREATE FUNCTION chat_fold(text) RETURNS text
         LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
         RETURN unaccent('unaccent'::regdictionary, lower($1))`,
    );
    await queryRunner.query(
      `ALTER TABLE "messages" ADD "search_vector" tsvector GENERATED ALWAYS AS (${SEARCH_VECTOR}) STORED`,
    );
    // TypeORM compares generated columns with what it recorded here (the entity declares it).
    await queryRunner.query(
      `INSERT INTO "typeorm_metadata"("database", "schema", "table", "type", "name", "value") VALUES (current_database(), current_schema(), 'messages', 'GENERATED_COLUMN', 'search_vector', $1)`,
      [SEARCH_VECTOR],
    );
    await queryRunner.query(
      `CREATE INDEX "messages_search_words" ON "messages" USING gin ("conversation_id", "search_vector")`,
    );
    await queryRunner.query(
      `CREATE INDEX "messages_search_substrings" ON "messages" USING gin ("conversation_id", chat_fold("text") gin_trgm_ops) WHERE "deleted_at" IS NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."messages_search_substrings"`);
    await queryRunner.query(`DROP INDEX "public"."messages_search_words"`);
    await queryRunner.query(
      `DELETE FROM "typeorm_metadata" WHERE "type" = 'GENERATED_COLUMN' AND "table" = 'messages' AND "name" = 'search_vector'`,
    );
    await queryRunner.query(`ALTER TABLE "messages" DROP COLUMN "search_vector"`);
    await queryRunner.query(`DROP FUNCTION chat_fold(text)`);
    // The extensions stay: other objects may have come to use them.
  }
}
