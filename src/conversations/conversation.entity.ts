/**
 * A conversation: direct (exactly two people, one per pair) or a group. Doubles as the GraphQL
 * `Conversation` type; `participants`, `members`, `avatarUrl` and `lastMessage` are resolved.
 * Its row holds the two counters every change takes its number from, under the row lock.
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

@ObjectType()
@Entity({ name: 'conversations' })
// The sweep of unattached uploads keeps those that are avatars (one probe each).
@Index('conversations_avatar', ['avatarAttachmentId'], {
  where: '"avatar_attachment_id" IS NOT NULL',
})
export class Conversation {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => String, { nullable: true })
  @Column({ type: 'varchar', length: 200, nullable: true })
  title: string | null;

  @Field()
  @Column({ name: 'is_direct', type: 'boolean' })
  isDirect: boolean;

  /** For direct conversations, "<smaller user id>:<larger user id>": one conversation per pair. */
  @Index('conversations_direct_key', { unique: true })
  @Column({ name: 'direct_key', type: 'varchar', length: 73, nullable: true })
  directKey: string | null;

  /** Millisecond precision, so a timestamp survives a round trip through a cursor unchanged. */
  @Field()
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @Field(() => Date, { nullable: true })
  @Column({ name: 'last_message_at', type: 'timestamptz', precision: 3, nullable: true })
  lastMessageAt: Date | null;

  /** The seq of the newest message; the next message takes last_seq + 1 under the row lock. */
  @Column({ name: 'last_seq', type: 'integer', default: 0 })
  lastSeq: number;

  /** The eventSeq of the conversation's latest change (every change takes the next one). */
  @Field(() => Int, {
    description:
      'The eventSeq of the latest change of any kind: pass it to conversationEvents to resume.',
  })
  @Column({ name: 'last_event_seq', type: 'integer', default: 0 })
  lastEventSeq: number;

  /** The eventSeq of the latest title or avatar change; 0 when there was none. */
  @Column({ name: 'event_seq', type: 'integer', default: 0 })
  eventSeq: number;

  /** An image uploaded to this conversation (served to its members only, like any file). */
  @Column({ name: 'avatar_attachment_id', type: 'uuid', nullable: true })
  @ForeignKey('attachments', { onDelete: 'SET NULL' })
  avatarAttachmentId: string | null;
}
