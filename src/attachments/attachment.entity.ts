/**
 * An uploaded file. It belongs to a conversation and its uploader until a message of theirs in
 * that conversation takes it (`messageId`); one left unattached is swept after a while. The bytes
 * live in AttachmentStorage under `storageKey`, a generated name: the client's `fileName` is only
 * ever displayed (sanitised), never used as a path. Doubles as the GraphQL `Attachment` type;
 * `url` is resolved (see AttachmentResolver). Foreign keys name their tables, so this file imports
 * no other feature's entity.
 */
import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import {
  Column,
  CreateDateColumn,
  Entity,
  ForeignKey,
  Index,
  PrimaryGeneratedColumn,
} from 'typeorm';

@ObjectType({ description: 'A file attached to a message; download it from `url`.' })
@Entity({ name: 'attachments' })
// The attachments of a page of messages, in upload order.
@Index('attachments_message', ['messageId', 'createdAt'])
// The sweep of old uploads that were never attached.
@Index('attachments_unattached', ['createdAt'], { where: '"message_id" IS NULL' })
// A user's unattached bytes, for the upload quota.
@Index('attachments_unattached_uploader', ['uploaderId'], { where: '"message_id" IS NULL' })
export class Attachment {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'conversation_id', type: 'uuid' })
  @ForeignKey('conversations', { onDelete: 'CASCADE' })
  conversationId: string;

  @Column({ name: 'uploader_id', type: 'uuid' })
  @ForeignKey('users', { onDelete: 'CASCADE' })
  uploaderId: string;

  /** Null until sent with a message; a deleted message leaves it to the sweep. */
  @Column({ name: 'message_id', type: 'uuid', nullable: true })
  @ForeignKey('messages', { onDelete: 'SET NULL' })
  messageId: string | null;

  @Field({ description: 'The name given by the uploader, without any path; at most 255 bytes.' })
  @Column({ name: 'file_name', type: 'varchar', length: 255 })
  fileName: string;

  @Field({ description: 'Decided from the bytes, not from what the client said.' })
  @Column({ name: 'content_type', type: 'varchar', length: 255 })
  contentType: string;

  @Field(() => Int, { description: 'Bytes.' })
  @Column({ type: 'integer' })
  size: number;

  /** Hex SHA-256 of the bytes, computed while receiving them. */
  @Column({ type: 'char', length: 64 })
  sha256: string;

  @Column({ name: 'storage_key', type: 'varchar', length: 255 })
  storageKey: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;
}
