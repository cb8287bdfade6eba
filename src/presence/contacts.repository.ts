/** Who shares a conversation with a user: the people whose presence that user is told about. */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { isUuid } from '../common/uuid.js';

/** A bound on one subscriber's watch list (members of huge groups beyond it are not followed). */
export const MAX_CONTACTS = 10_000;

export interface Contacts {
  conversationIds: string[];
  userIds: string[];
}

@Injectable()
export class ContactsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The user's conversations and their other participants (both from participants' indexes). */
  async contactsOf(userId: string): Promise<Contacts> {
    if (!isUuid(userId)) return { conversationIds: [], userIds: [] };
    const [conversations, users] = await Promise.all([
      this.dataSource.query<{ conversation_id: string }[]>(
        'SELECT conversation_id FROM participants WHERE user_id = $1',
        [userId],
      ),
      this.dataSource.query<{ user_id: string }[]>(
        `SELECT DISTINCT other.user_id
           FROM participants mine
           JOIN participants other ON other.conversation_id = mine.conversation_id
          WHERE mine.user_id = $1 AND other.user_id <> $1
          LIMIT ${MAX_CONTACTS}`,
        [userId],
      ),
    ]);
    return {
      conversationIds: conversations.map((r) => r.conversation_id),
      userIds: users.map((r) => r.user_id),
    };
  }
}
