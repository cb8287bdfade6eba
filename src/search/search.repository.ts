/**
 * The one search query: messages of the conversations the caller is a member of now (the
 * permission filter inside the same statement), not deleted, matching every term, newest first.
 * Words and phrases go through the GIN index on (conversation_id, search_vector); substrings
 * through the pg_trgm index on the folded text (three characters or more; one or two such
 * characters have no trigram, and are checked by LIKE over the caller's conversations' live
 * messages only). The statement's text varies only with how many terms there are; every value is a
 * parameter.
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { isMember, MEMBERS } from '../conversations/membership.sql.js';
import type { Message } from '../messages/message.entity.js';
import { MESSAGE_COLUMNS, messageFromRow, type MessageRow } from '../messages/message.row.js';
import type { ParsedSearch } from './search-query.js';

export interface SearchPage {
  userId: string;
  conversationId: string | null;
  /** The last row of the previous page: results continue strictly older than it. */
  after: { createdAt: string; id: string } | null;
  limit: number;
}

/** The SQL and its parameters for one search (exported for the plan test). */
export function searchStatement(
  search: ParsedSearch,
  page: SearchPage,
): { sql: string; params: unknown[] } {
  const params: unknown[] = [page.userId];
  const param = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  const where = ['m.deleted_at IS NULL'];
  if (page.conversationId) where.push(`m.conversation_id = ${param(page.conversationId)}`);
  if (search.websearch) {
    where.push(
      `m.search_vector @@ websearch_to_tsquery('simple', chat_fold(${param(search.websearch)}))`,
    );
  }
  for (const pattern of search.substrings) {
    where.push(`chat_fold(m.text) LIKE chat_fold(${param(pattern)})`);
  }
  for (const pattern of search.excludedSubstrings) {
    where.push(`chat_fold(m.text) NOT LIKE chat_fold(${param(pattern)})`);
  }
  if (page.after) {
    where.push(
      `(m.created_at, m.id) < (${param(page.after.createdAt)}::timestamptz, ${param(page.after.id)}::uuid)`,
    );
  }
  const sql = `
    SELECT ${MESSAGE_COLUMNS.split(',')
      .map((c) => `m.${c.trim()}`)
      .join(', ')}
      FROM messages m
     WHERE m.conversation_id = ANY (ARRAY(SELECT mine.conversation_id FROM ${MEMBERS} mine WHERE mine.user_id = $1))
       AND ${where.join('\n       AND ')}
     ORDER BY m.created_at DESC, m.id DESC
     LIMIT ${param(page.limit + 1)}`;
  return { sql, params };
}

@Injectable()
export class SearchRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Up to `limit + 1` matching messages (the extra one only says a next page exists). */
  async search(search: ParsedSearch, page: SearchPage): Promise<Message[]> {
    const { sql, params } = searchStatement(search, page);
    const rows = (await this.dataSource.query(sql, params)) as MessageRow[];
    return rows.map(messageFromRow);
  }

  async isMember(conversationId: string, userId: string): Promise<boolean> {
    const rows = (await this.dataSource.query(`SELECT ${isMember('$1', '$2')} AS member`, [
      conversationId,
      userId,
    ])) as { member: boolean }[];
    return rows[0]?.member === true;
  }
}
