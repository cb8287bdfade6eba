/**
 * Database access for changing a group's members and header (roles, removals, departures with
 * succession, title and avatar). Each change runs in a transaction that first locks the
 * conversation row, as every change of a conversation does (event-seq.sql.ts): what it reads
 * afterwards is current, each change it makes takes the next eventSeq, and a refusal rolls back
 * with nothing stored and no number used.
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { Conversation } from './conversation.entity.js';
import { advanceEventSeq, lockConversation } from './event-seq.sql.js';
import { PARTICIPANT_COLUMNS } from './membership.repository.js';
import type { ConversationRole, MemberChange, Participant } from './participant.entity.js';

/** The conversation as it is under the lock: its row and current members, in joining order. */
export interface LockedGroup {
  conversation: Conversation;
  members: Participant[];
}

/** The writes a change may make, inside its transaction; each takes the next eventSeq. */
export class GroupWrites {
  /** Memberships changed, in eventSeq order. */
  readonly changedMembers: Participant[] = [];
  /** Set when the title or avatar changed. */
  updatedConversation: Conversation | null = null;
  private next: number;

  constructor(
    private readonly manager: EntityManager,
    private readonly conversationId: string,
    lastEventSeq: number,
  ) {
    this.next = lastEventSeq;
  }

  get count(): number {
    return this.changedMembers.length + (this.updatedConversation ? 1 : 0);
  }

  async setRole(userId: string, role: ConversationRole, actorId: string | null): Promise<void> {
    await this.member(
      `SET role = $3, event_seq = $4, last_change = 'MEMBER_ROLE_CHANGED', actor_id = $5`,
      [userId, role, ++this.next, actorId],
    );
  }

  /** Ends a membership (leaving: no actor; removed: by the actor); the row stays. */
  async depart(
    userId: string,
    change: Extract<MemberChange, 'MEMBER_LEFT' | 'MEMBER_REMOVED'>,
    actorId: string | null,
  ): Promise<void> {
    await this.member(
      `SET left_at = clock_timestamp(), event_seq = $4, last_change = $3, actor_id = $5`,
      [userId, change, ++this.next, actorId],
    );
  }

  async updateConversation(title: string | null, avatarAttachmentId: string | null) {
    const [[row]] = await this.manager.query<[Conversation[], number]>(
      `UPDATE conversations SET title = $2, avatar_attachment_id = $3, event_seq = $4
        WHERE id = $1
        RETURNING id, title, is_direct AS "isDirect", direct_key AS "directKey",
                  created_at AS "createdAt", last_message_at AS "lastMessageAt",
                  last_seq AS "lastSeq", event_seq AS "eventSeq",
                  avatar_attachment_id AS "avatarAttachmentId"`,
      [this.conversationId, title, avatarAttachmentId, ++this.next],
    );
    this.updatedConversation = { ...row, lastEventSeq: this.next };
  }

  /** Whether an image upload of this conversation can be its avatar. */
  async isImageOfConversation(attachmentId: string): Promise<boolean> {
    const rows = await this.manager.query<unknown[]>(
      `SELECT 1 FROM attachments
        WHERE id = $1 AND conversation_id = $2 AND content_type LIKE 'image/%'`,
      [attachmentId, this.conversationId],
    );
    return rows.length > 0;
  }

  private async member(set: string, [userId, ...params]: unknown[]): Promise<void> {
    const [[row]] = await this.manager.query<[Participant[], number]>(
      `UPDATE participants ${set}
        WHERE conversation_id = $1 AND user_id = $2 AND left_at IS NULL
        RETURNING ${PARTICIPANT_COLUMNS}`,
      [this.conversationId, userId, ...params],
    );
    // Callers change only members they found under the lock.
    this.changedMembers.push(row);
  }
}

@Injectable()
export class GroupChangesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Runs `change` under the conversation's lock with its current state (null: no such
   * conversation); afterwards advances the counter by the changes made. What `change` throws
   * rolls everything back.
   */
  async withLocked<T>(
    conversationId: string,
    change: (group: LockedGroup, writes: GroupWrites) => Promise<T>,
  ): Promise<{ result: T; writes: GroupWrites; memberIdsBefore: string[] } | null> {
    return this.dataSource.transaction(async (manager) => {
      const locked = await lockConversation(manager, conversationId);
      if (!locked) return null;
      const conversation = await manager.findOneByOrFail(Conversation, { id: conversationId });
      const members = await manager.query<Participant[]>(
        `SELECT ${PARTICIPANT_COLUMNS} FROM participants
          WHERE conversation_id = $1 AND left_at IS NULL ORDER BY joined_at, user_id`,
        [conversationId],
      );
      const writes = new GroupWrites(manager, conversationId, locked.lastEventSeq);
      const result = await change({ conversation, members }, writes);
      if (writes.count > 0) await advanceEventSeq(manager, conversationId, writes.count);
      return { result, writes, memberIdsBefore: members.map((m) => m.userId) };
    });
  }
}
