import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Search newest first (src/search/search.repository.ts): each conversation's live messages in
 * (created_at, id) order, the search's own order, so a walk reads a conversation's newest
 * messages and a range stops at a time bound. (conversation_id, seq) cannot serve: seq and
 * created_at rise together, but messages sent in the same millisecond tie on created_at and are
 * then ordered by id.
 */
export class SearchNewestIndex1796200000015 implements MigrationInterface {
  name = 'SearchNewestIndex1796200000015';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "messages_search_newest" ON "messages" ("conversation_id", "created_at", "id") WHERE "deleted_at" IS NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."messages_search_newest"`);
  }
}
