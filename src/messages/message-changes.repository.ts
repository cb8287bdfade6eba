/**
 * Database access for changing a stored message (edits, tombstones, reactions). Each change is
 * one statement (one round trip, like a send): it locks the conversation row, as every change of
 * a conversation does (event-seq.sql.ts), decides from the message as it is (the verdict: the
 * rules of that change, each written once, here), and only when nothing refuses it makes the
 * writes and takes the counter + 1 as the message's eventSeq. A refusal writes nothing and uses
 * no number, and answers which rule refused and the message as it is.
 *
 * The statement reads with the snapshot it started with; if a change of the conversation
 * committed between that snapshot and taking the lock (the counter moved), those reads may be
 * old, so it refuses as STALE and runs again inside a transaction after the lock (whose next
 * statement reads everything current).
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { DETACH_OF_MESSAGE } from '../attachments/attachments.sql.js';
import { isUuid } from '../common/uuid.js';
import { lockConversationOfMessage } from '../conversations/event-seq.sql.js';
import { memberIdsOf, MEMBERS } from '../conversations/membership.sql.js';
import { ConversationRole } from '../conversations/participant.entity.js';
import { preparedQuery } from '../database/prepared-query.js';
import { MessageChange, type Message } from './message.entity.js';
import { MESSAGE_COLUMNS, messageFromRow, type MessageRow } from './message.row.js';

/** Why a change was not made (checked in this order); UNCHANGED: it was already so. */
export type Refusal =
  'NOT_FOUND' | 'FORBIDDEN' | 'DELETED' | 'EMPTY' | 'TOO_MANY_EMOJI' | 'UNCHANGED';

export interface ChangeOutcome {
  /** Null when the change was made. */
  refusal: Refusal | null;
  /** The message as it is after the statement. */
  message: Message;
  /** Members now: who hears of the change. */
  memberIds: string[];
  /** Storage keys of the files a deletion removed (to delete after commit). */
  discarded: string[];
}

/** One kind of change: what it reads besides the message, its rules, and its writes. */
interface ChangeSql {
  change: MessageChange;
  /** More columns of `facts` (SQL over `t`, the message, and the parameters). */
  facts?: string;
  /** `WHEN … THEN '<Refusal>'` clauses after the membership check, in order. */
  refusals: string;
  /** More data-modifying CTEs, each guarded by `EXISTS (SELECT 1 FROM ${GO})`. */
  writes?: string;
  /** More assignments of the stamped message, e.g. `, text = $3`. */
  set?: string;
  /** Storage keys the writes discard, as a subquery. */
  discarded?: string;
}

/** The verdict when nothing refused: the writes run. */
const GO = 'verdict WHERE refusal IS NULL';

function changeStatement(sql: ChangeSql): string {
  return `
  WITH target AS (
    SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = $1
  ), seen AS (
    -- The counter in this statement's snapshot, and the same row locked (its latest version).
    SELECT last_event_seq, is_direct FROM conversations
     WHERE id = (SELECT conversation_id FROM target)
  ), locked AS (
    SELECT last_event_seq FROM conversations
     WHERE id = (SELECT conversation_id FROM target) FOR UPDATE
  ), facts AS (
    SELECT t.*, s.is_direct, s.last_event_seq <> l.last_event_seq AS stale,
           (SELECT role FROM ${MEMBERS} me
             WHERE me.conversation_id = t.conversation_id AND me.user_id = $2) AS actor_role
           ${sql.facts ?? ''}
      FROM target t, seen s, locked l
  ), verdict AS (
    SELECT f.*, CASE
             WHEN f.stale THEN 'STALE'
             -- A stranger is told the message does not exist, as for an unknown one.
             WHEN f.actor_role IS NULL THEN 'NOT_FOUND'
             ${sql.refusals}
           END AS refusal
      FROM facts f
  ), ${sql.writes ? `${sql.writes},` : ''} counted AS (
    UPDATE conversations c SET last_event_seq = c.last_event_seq + 1
      FROM ${GO} AND verdict.conversation_id = c.id
    RETURNING c.last_event_seq
  ), stamped AS (
    UPDATE messages SET event_seq = counted.last_event_seq, last_change = '${sql.change}'${sql.set ?? ''}
      FROM counted WHERE id = $1
    RETURNING ${MESSAGE_COLUMNS}
  )
  SELECT r.*, v.refusal, ARRAY(${memberIdsOf('v.conversation_id')}) AS member_ids,
         ${sql.discarded ? `ARRAY(${sql.discarded})` : `'{}'::text[]`} AS discarded
    FROM verdict v,
         LATERAL (SELECT * FROM stamped
                  UNION ALL SELECT ${MESSAGE_COLUMNS} FROM target
                   WHERE NOT EXISTS (SELECT 1 FROM stamped)) r`;
}

const notDeleted = `WHEN f.deleted_at IS NOT NULL THEN 'DELETED'`;

/** $3: the new text. The sender only; not a tombstone; the send's rule of text or a file. */
const EDIT = changeStatement({
  change: MessageChange.MESSAGE_EDITED,
  facts: ', EXISTS (SELECT 1 FROM attachments a WHERE a.message_id = t.id) AS has_attachments',
  refusals: `
    WHEN f.sender_id <> $2 THEN 'FORBIDDEN'
    ${notDeleted}
    WHEN $3 = '' AND NOT f.has_attachments THEN 'EMPTY'
    WHEN f.text = $3 THEN 'UNCHANGED'`,
  set: ', text = $3, edited_at = clock_timestamp()',
});

/** $3: the emoji, $4: at most this many distinct per message. Any member; not a tombstone. */
const reactionFacts = `,
  (SELECT count(DISTINCT emoji) FROM reactions x WHERE x.message_id = t.id) AS distinct_emoji,
  EXISTS (SELECT 1 FROM reactions x WHERE x.message_id = t.id AND x.emoji = $3) AS has_emoji,
  EXISTS (SELECT 1 FROM reactions x
           WHERE x.message_id = t.id AND x.emoji = $3 AND x.user_id = $2) AS has_mine`;

const ADD_REACTION = changeStatement({
  change: MessageChange.REACTIONS_CHANGED,
  facts: reactionFacts,
  refusals: `
    ${notDeleted}
    WHEN NOT f.has_emoji AND f.distinct_emoji >= $4 THEN 'TOO_MANY_EMOJI'
    WHEN f.has_mine THEN 'UNCHANGED'`,
  writes: `added AS (
    INSERT INTO reactions (message_id, emoji, user_id) SELECT $1::uuid, $3::varchar, $2::uuid FROM ${GO}
    ON CONFLICT DO NOTHING
  )`,
});

const REMOVE_REACTION = changeStatement({
  change: MessageChange.REACTIONS_CHANGED,
  facts: reactionFacts,
  refusals: `
    ${notDeleted}
    WHEN NOT f.has_mine THEN 'UNCHANGED'`,
  writes: `removed AS (
    DELETE FROM reactions
     WHERE message_id = $1 AND emoji = $3 AND user_id = $2 AND EXISTS (SELECT 1 FROM ${GO})
  )`,
});

/**
 * The sender, or in a group an OWNER or ADMIN; a tombstone keeps id and seq and loses text,
 * mentions, reactions and files. Deleting a tombstone again changes nothing.
 */
const DELETE = changeStatement({
  change: MessageChange.MESSAGE_DELETED,
  refusals: `
    WHEN f.sender_id <> $2
         AND (f.is_direct OR f.actor_role NOT IN ('${ConversationRole.OWNER}', '${ConversationRole.ADMIN}'))
      THEN 'FORBIDDEN'
    WHEN f.deleted_at IS NOT NULL THEN 'UNCHANGED'`,
  writes: `unreacted AS (
    DELETE FROM reactions WHERE message_id = $1 AND EXISTS (SELECT 1 FROM ${GO})
  ), detached AS (${DETACH_OF_MESSAGE('$1', `EXISTS (SELECT 1 FROM ${GO})`)})`,
  set: `, text = '', mentioned_user_ids = '{}', deleted_at = clock_timestamp()`,
  discarded: 'SELECT storage_key FROM detached',
});

type OutcomeRow = MessageRow & {
  refusal: Refusal | 'STALE';
  member_ids: string[];
  discarded: string[];
};

@Injectable()
export class MessageChangesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Null when there is no such message. */
  edit(messageId: string, actorId: string, text: string): Promise<ChangeOutcome | null> {
    return this.run('change_edit', EDIT, messageId, [actorId, text]);
  }

  /** Adds or removes the actor's reaction (at most `maxEmoji` distinct per message). */
  react(
    messageId: string,
    actorId: string,
    emoji: string,
    add: boolean,
    maxEmoji: number,
  ): Promise<ChangeOutcome | null> {
    return add
      ? this.run('change_add_reaction', ADD_REACTION, messageId, [actorId, emoji, maxEmoji])
      : this.run('change_remove_reaction', REMOVE_REACTION, messageId, [actorId, emoji]);
  }

  delete(messageId: string, actorId: string): Promise<ChangeOutcome | null> {
    return this.run('change_delete', DELETE, messageId, [actorId]);
  }

  /**
   * `name`: the statement's own, as a named prepared statement (parsed and planned once per
   * pooled connection, as a send's; every lookup in it is by key, so a generic plan is as good).
   */
  private async run(
    name: string,
    statement: string,
    messageId: string,
    params: unknown[],
  ): Promise<ChangeOutcome | null> {
    if (!isUuid(messageId)) return null;
    const values = [messageId, ...params];
    let [row] = await preparedQuery<OutcomeRow>(this.dataSource, name, statement, values);
    if (row?.refusal === 'STALE') {
      // Rare (another change committed while this one waited): once more, after the lock.
      [row] = await this.dataSource.transaction(async (manager: EntityManager) => {
        await lockConversationOfMessage(manager, messageId);
        return manager.query<OutcomeRow[]>(statement, values);
      });
    }
    if (!row) return null;
    if (row.refusal === 'STALE') throw new Error('A change read stale rows under the lock');
    return {
      refusal: row.refusal,
      message: messageFromRow(row),
      memberIds: row.member_ids,
      discarded: row.discarded,
    };
  }
}
