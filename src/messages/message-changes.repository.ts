/**
 * Database access for changing a stored message (edits, tombstones, reactions). Each change runs
 * in a transaction that first locks the conversation row, as every change of a conversation does
 * (event-seq.sql.ts): what it reads afterwards is current, its eventSeq is the counter + 1, and a
 * refusal rolls back with nothing stored and no number used.
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AttachmentsRepository } from '../attachments/attachments.repository.js';
import { isUuid } from '../common/uuid.js';
import { lockConversationOfMessage } from '../conversations/event-seq.sql.js';
import { memberIdsOf, MEMBERS } from '../conversations/membership.sql.js';
import type { ConversationRole } from '../conversations/participant.entity.js';
import { MessageChange, type Message } from './message.entity.js';
import { MESSAGE_COLUMNS, messageFromRow, type MessageRow } from './message.row.js';

/** The message as it is under the lock, and who may do what with it. */
export interface LockedMessage {
  message: Message;
  /** The actor's role; null when they are not a member (the message does not exist to them). */
  actorRole: ConversationRole | null;
  isDirect: boolean;
  /** Members now: who hears of the change. */
  memberIds: string[];
  /** The eventSeq a change made now takes. */
  nextEventSeq: number;
}

const LOCKED = `
  SELECT ${MESSAGE_COLUMNS},
         (SELECT role FROM ${MEMBERS} me WHERE me.conversation_id = m.conversation_id AND me.user_id = $2)
           AS actor_role,
         ARRAY(${memberIdsOf('m.conversation_id')}) AS member_ids,
         EXISTS (SELECT 1 FROM attachments a WHERE a.message_id = m.id) AS has_attachments
    FROM messages m WHERE m.id = $1`;

/** The writes a change may make, inside its transaction. */
export class MessageWrites {
  constructor(
    private readonly manager: EntityManager,
    private readonly locked: LockedMessage,
    private readonly attachments: AttachmentsRepository,
    readonly hasAttachments: boolean,
  ) {}

  private get id() {
    return this.locked.message.id;
  }

  /** The message after the change made here; null until one is. */
  changed: Message | null = null;

  /** Records the message's change with the next eventSeq (and advances the counter). */
  async stamp(change: MessageChange, set = '', params: unknown[] = []): Promise<void> {
    // One round trip: the message and the counter (whose row this transaction holds locked).
    const rows = await this.manager.query<MessageRow[]>(
      `WITH stamped AS (
         UPDATE messages SET event_seq = $2, last_change = $3${set} WHERE id = $1
         RETURNING ${MESSAGE_COLUMNS}
       ), counted AS (
         UPDATE conversations SET last_event_seq = $2
          WHERE id = (SELECT conversation_id FROM stamped)
       )
       SELECT * FROM stamped`,
      [this.id, this.locked.nextEventSeq, change, ...params],
    );
    this.changed = messageFromRow(rows[0]);
  }

  edit(text: string): Promise<void> {
    return this.stamp(MessageChange.MESSAGE_EDITED, ', text = $4, edited_at = clock_timestamp()', [
      text,
    ]);
  }

  /** Makes the message a tombstone; answers the storage keys of its files, to delete after. */
  async tombstone(): Promise<string[]> {
    await this.manager.query('DELETE FROM reactions WHERE message_id = $1', [this.id]);
    const keys = await this.attachments.deleteOfMessage(this.manager, this.id);
    await this.stamp(
      MessageChange.MESSAGE_DELETED,
      `, text = '', mentioned_user_ids = '{}', deleted_at = clock_timestamp()`,
    );
    return keys;
  }

  /** How many distinct emoji the message has, and whether `emoji` is one of them. */
  async emojiCount(emoji: string): Promise<{ distinct: number; has: boolean }> {
    const [row] = await this.manager.query<{ n: number; has: boolean | null }[]>(
      'SELECT count(DISTINCT emoji)::int AS n, bool_or(emoji = $2) AS has FROM reactions WHERE message_id = $1',
      [this.id, emoji],
    );
    return { distinct: row.n, has: row.has === true };
  }

  /** False when the user had already reacted so. */
  async addReaction(userId: string, emoji: string): Promise<boolean> {
    const rows = await this.manager.query<unknown[]>(
      `INSERT INTO reactions (message_id, emoji, user_id) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING 1`,
      [this.id, emoji, userId],
    );
    return rows.length > 0;
  }

  /** False when there was no such reaction. */
  async removeReaction(userId: string, emoji: string): Promise<boolean> {
    const [rows] = await this.manager.query<[unknown[], number]>(
      'DELETE FROM reactions WHERE message_id = $1 AND emoji = $2 AND user_id = $3 RETURNING 1',
      [this.id, emoji, userId],
    );
    return rows.length > 0;
  }
}

@Injectable()
export class MessageChangesRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly attachments: AttachmentsRepository,
  ) {}

  /**
   * Runs `change` in a transaction holding the message's conversation lock, with the message as
   * it is now; null when there is no such message. What `change` throws rolls everything back.
   */
  async withLocked<T>(
    messageId: string,
    actorId: string,
    change: (locked: LockedMessage, writes: MessageWrites) => Promise<T>,
  ): Promise<T | null> {
    if (!isUuid(messageId)) return null;
    return this.dataSource.transaction(async (manager) => {
      const conversation = await lockConversationOfMessage(manager, messageId);
      const [row] = await manager.query<
        (MessageRow & {
          actor_role: ConversationRole | null;
          member_ids: string[];
          has_attachments: boolean;
        })[]
      >(LOCKED, [messageId, actorId]);
      if (!conversation || !row) return null;
      const locked: LockedMessage = {
        message: messageFromRow(row),
        actorRole: row.actor_role,
        isDirect: conversation.isDirect,
        memberIds: row.member_ids,
        nextEventSeq: conversation.lastEventSeq + 1,
      };
      return change(
        locked,
        new MessageWrites(manager, locked, this.attachments, row.has_attachments),
      );
    });
  }
}
