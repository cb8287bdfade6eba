/**
 * The one search query: messages of the conversations the caller is a member of now (the
 * permission filter inside the same statement), not deleted, matching every term, newest first.
 * Recent matches are found by walking each conversation's newest messages
 * (`messages_search_newest`); terms rare in recent messages through the GIN index on
 * (conversation_id, search_vector) for words and phrases, or the pg_trgm index on the folded
 * text for substrings (three characters or more; one or two such characters have no trigram and
 * are checked by LIKE over the caller's conversations' live messages only). See searchStatement.
 * The statement's text varies only with how many terms there are; every value is a parameter.
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

/**
 * How many recent messages pass 1 reads in all, shared out over the caller's conversations (but
 * at least two each): enough to find a page of 20 for a term in one message in 80 or more, few
 * enough that a rare term wastes little (checking a substring on a message, which folds its
 * text, costs ~5 µs on this machine) before the index path takes over.
 */
const RECENT_BUDGET = 1600;

/** chat_fold's body (migrations/1796200000001-MessageSearch.ts), spelled out. */
const fold = (sql: string) => `unaccent('unaccent'::regdictionary, lower(${sql}))`;

/**
 * The SQL and its parameters for one search (exported for the plan test).
 *
 * Newest first without reading every match. A GIN scan of a term ANDed with the caller's
 * conversations costs about the term's whole posting list per conversation (696 ms for `the` at
 * 1M messages, of which 8,746 matches were the caller's: bench/README.md, Search), while a walk of
 * each conversation newest first until n matches reads n / selectivity rows in each. So, exact
 * either way:
 *  1. `newest`: the matches among each conversation's newest messages (RECENT_BUDGET shared out;
 *     a bounded walk of `messages_search_newest`, the term checked on those rows only);
 *  2. `bound`: the n-th newest of those. At least n matches are that new, so the page lies at or
 *     after it: each conversation's up-to-n newest matches from `bound` on (an index range, so
 *     each walk stops there; OFFSET 0 keeps the planner off the GIN indexes here, whose scan
 *     ANDed with one conversation costs the term's whole posting list), merged.
 *  3. No bound (the term is rare in recent messages): the index path, one GIN bitmap scan for the
 *     term and the conversations, sorted.
 * Only one of 2 and 3 runs (each gated by a one-time filter on `bound`).
 */
export function searchStatement(
  search: ParsedSearch,
  page: SearchPage,
): { sql: string; params: unknown[] } {
  const params: unknown[] = [page.userId];
  const param = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  const mine = ['mine.user_id = $1'];
  if (page.conversationId) mine.push(`mine.conversation_id = ${param(page.conversationId)}`);
  const live = ['m.deleted_at IS NULL'];
  if (page.after) {
    live.push(
      `(m.created_at, m.id) < (${param(page.after.createdAt)}::timestamptz, ${param(page.after.id)}::uuid)`,
    );
  }
  // The terms twice: as the indexes are written (chat_fold(text)), for the index path; and with
  // chat_fold's body spelled out, for the walks, which check rows one by one: the SQL function is
  // not inlined (unaccent is only STABLE) and costs ~3× its body per row.
  const terms: string[] = [];
  const walkTerms: string[] = [];
  if (search.websearch) {
    const words = `m.search_vector @@ websearch_to_tsquery('simple', chat_fold(${param(search.websearch)}))`;
    terms.push(words);
    walkTerms.push(words);
  }
  for (const [patterns, like] of [
    [search.substrings, 'LIKE'],
    [search.excludedSubstrings, 'NOT LIKE'],
  ] as const) {
    for (const pattern of patterns) {
      const folded = `chat_fold(${param(pattern)})`;
      terms.push(`chat_fold(m.text) ${like} ${folded}`);
      walkTerms.push(`${fold('m.text')} ${like} ${folded}`);
    }
  }
  const n = param(page.limit + 1);
  const budget = param(RECENT_BUDGET);
  const and = (conditions: string[]) => conditions.join('\n           AND ');
  const columns = MESSAGE_COLUMNS.split(',')
    .map((c) => `m.${c.trim()}`)
    .join(', ');
  const sql = `
    WITH mine AS MATERIALIZED (
      SELECT mine.conversation_id FROM ${MEMBERS} mine WHERE ${mine.join(' AND ')}
    ), newest AS MATERIALIZED (
      SELECT m.created_at FROM mine CROSS JOIN LATERAL (
        SELECT m.created_at, m.text, m.search_vector FROM messages m
         WHERE m.conversation_id = mine.conversation_id AND ${and(live)}
         ORDER BY m.created_at DESC, m.id DESC
         LIMIT GREATEST(2, ${budget}::int / GREATEST(1, (SELECT count(*) FROM mine)))) m
       WHERE ${and(walkTerms)}
    ), bound AS MATERIALIZED (
      SELECT created_at FROM newest ORDER BY created_at DESC OFFSET ${n}::int - 1 LIMIT 1
    )
    SELECT * FROM (
      SELECT m.* FROM mine CROSS JOIN LATERAL (
        SELECT ${columns} FROM (
          SELECT ${columns}, m.search_vector FROM messages m
           WHERE m.conversation_id = mine.conversation_id AND ${and(live)}
             AND m.created_at >= (SELECT created_at FROM bound)
          OFFSET 0) m
         WHERE ${and(walkTerms)}
         ORDER BY m.created_at DESC, m.id DESC LIMIT ${n}) m
       WHERE EXISTS (SELECT FROM bound)
      UNION ALL
      SELECT ${columns} FROM messages m
       WHERE m.conversation_id = ANY (ARRAY(SELECT conversation_id FROM mine))
         AND ${and([...live, ...terms])}
         AND NOT EXISTS (SELECT FROM bound)
    ) m
     ORDER BY m.created_at DESC, m.id DESC
     LIMIT ${n}`;
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
