/** Database access for attachments: named queries only. */
import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, Repository } from 'typeorm';
import { isUuid } from '../common/uuid.js';
import { isMember } from '../conversations/membership.sql.js';
import { Attachment } from './attachment.entity.js';

export interface NewAttachment {
  id: string;
  conversationId: string;
  uploaderId: string;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  storageKey: string;
}

/**
 * Inserts the row only while the uploader is still a participant (they may have left during a
 * long upload); no row comes back otherwise.
 */
const INSERT_FOR_PARTICIPANT = `
  INSERT INTO attachments
    (id, conversation_id, uploader_id, file_name, content_type, size, sha256, storage_key)
  SELECT $1, $2, $3, $4, $5, $6, $7, $8
   WHERE ${isMember('$2', '$3')}
  RETURNING id, conversation_id, uploader_id, message_id, file_name, content_type, size, sha256,
            storage_key, created_at`;

/**
 * Removes up to $2 uploads never attached and created before $1, returning where their bytes are.
 * SKIP LOCKED: rows a send is attaching right now (locked FOR UPDATE) are left to it, and
 * instances sweeping at once share the work instead of queueing.
 */
const DELETE_UNATTACHED = `
  DELETE FROM attachments
   WHERE id IN (SELECT id FROM attachments
                 WHERE message_id IS NULL AND created_at < $1
                   -- A group's avatar is an upload no message took, and stays.
                   AND NOT EXISTS (SELECT 1 FROM conversations c
                                    WHERE c.avatar_attachment_id = attachments.id)
                 ORDER BY created_at
                 LIMIT $2
                   FOR UPDATE SKIP LOCKED)
  RETURNING storage_key`;

interface AttachmentRow {
  id: string;
  conversation_id: string;
  uploader_id: string;
  message_id: string | null;
  file_name: string;
  content_type: string;
  size: number;
  sha256: string;
  storage_key: string;
  created_at: Date;
}

@Injectable()
export class AttachmentsRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(Attachment) private readonly attachments: Repository<Attachment>,
  ) {}

  /** The stored row, or null when the uploader is no longer a participant. */
  async insertForParticipant(attachment: NewAttachment): Promise<Attachment | null> {
    const rows = (await this.dataSource.query(INSERT_FOR_PARTICIPANT, [
      attachment.id,
      attachment.conversationId,
      attachment.uploaderId,
      attachment.fileName,
      attachment.contentType,
      attachment.size,
      attachment.sha256,
      attachment.storageKey,
    ])) as AttachmentRow[];
    return rows[0] ? this.fromRow(rows[0]) : null;
  }

  /** The attachment if `userId` is a participant of its conversation (else null, like unknown). */
  findVisibleTo(id: string, userId: string): Promise<Attachment | null> {
    if (!isUuid(id)) return Promise.resolve(null);
    return this.attachments
      .createQueryBuilder('a')
      .where('a.id = :id', { id })
      .andWhere(isMember('a.conversation_id', ':userId'), { userId })
      .getOne();
  }

  /** The attachments of several messages, each message's in upload order (one index scan each). */
  findByMessageIds(messageIds: readonly string[]): Promise<Attachment[]> {
    const ids = messageIds.filter(isUuid);
    if (ids.length === 0) return Promise.resolve([]);
    return this.attachments.find({
      where: { messageId: In(ids) },
      order: { messageId: 'ASC', createdAt: 'ASC', id: 'ASC' },
    });
  }

  /** The bytes of `uploaderId`'s uploads not attached to a message (a partial index scan). */
  async unattachedBytesOf(uploaderId: string): Promise<number> {
    const [row] = (await this.dataSource.query(
      'SELECT COALESCE(sum(size), 0)::bigint AS bytes FROM attachments WHERE uploader_id = $1 AND message_id IS NULL',
      [uploaderId],
    )) as { bytes: string }[];
    return Number(row.bytes);
  }

  /** See DELETE_UNATTACHED: the storage keys of the removed rows. */
  async deleteUnattachedBefore(cutoff: Date, limit: number): Promise<string[]> {
    const [rows] = (await this.dataSource.query(DELETE_UNATTACHED, [cutoff, limit])) as [
      { storage_key: string }[],
      number,
    ];
    return rows.map((r) => r.storage_key);
  }

  private fromRow(row: AttachmentRow): Attachment {
    return this.attachments.create({
      id: row.id,
      conversationId: row.conversation_id,
      uploaderId: row.uploader_id,
      messageId: row.message_id,
      fileName: row.file_name,
      contentType: row.content_type,
      size: row.size,
      sha256: row.sha256,
      storageKey: row.storage_key,
      createdAt: row.created_at,
    });
  }
}
