/**
 * A message. `seq` numbers a conversation's messages 1, 2, 3… with no gaps: history pages and
 * resume cursors are seq ranges on the (conversation_id, seq) index. Doubles as the GraphQL
 * `Message` type; `sender` and `attachments` are resolved in batches, or arrive with the message
 * (MessageWithDetails: sends, events, replays).
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

export enum MessageChange {
  MESSAGE_CREATED = 'MESSAGE_CREATED',
  MESSAGE_EDITED = 'MESSAGE_EDITED',
  MESSAGE_DELETED = 'MESSAGE_DELETED',
  REACTIONS_CHANGED = 'REACTIONS_CHANGED',
}

@ObjectType()
@Entity({ name: 'messages' })
@Index('messages_conversation_seq', ['conversationId', 'seq'], { unique: true })
// The message changes after an eventSeq (catch-up), one range scan.
@Index('messages_events', ['conversationId', 'eventSeq'])
// A retried send (same sender, same clientMessageId) finds the first one instead of a duplicate.
@Index('messages_client_message_id', ['conversationId', 'senderId', 'clientMessageId'], {
  unique: true,
})
export class Message {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => ID)
  @Column({ name: 'conversation_id', type: 'uuid' })
  @ForeignKey('conversations', { onDelete: 'CASCADE' })
  conversationId: string;

  @Field(() => Int, { description: '1, 2, 3… within the conversation, without gaps.' })
  @Column({ type: 'integer' })
  seq: number;

  @Column({ name: 'sender_id', type: 'uuid' })
  @ForeignKey('users', { onDelete: 'CASCADE' })
  senderId: string;

  @Field({ description: 'Trimmed; empty when the message is only attachments.' })
  @Column({ type: 'text' })
  text: string;

  @Field(() => String, { nullable: true })
  @Column({ name: 'client_message_id', type: 'varchar', length: 64, nullable: true })
  clientMessageId: string | null;

  @Field()
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @Field(() => Int, {
    description:
      "The eventSeq of this message's latest change (created, edited, deleted, reactions).",
  })
  @Column({ name: 'event_seq', type: 'integer' })
  eventSeq: number;

  /** What the latest change was (the `change` of its MessageEvent). */
  @Column({ name: 'last_change', type: 'varchar', length: 20, default: 'MESSAGE_CREATED' })
  lastChange: MessageChange;

  @Field(() => Date, { nullable: true, description: 'Set by the latest edit.' })
  @Column({ name: 'edited_at', type: 'timestamptz', precision: 3, nullable: true })
  editedAt: Date | null;

  @Field(() => Date, {
    nullable: true,
    description:
      'Set when deleted: the message is then a tombstone (no text, files, mentions, reactions).',
  })
  @Column({ name: 'deleted_at', type: 'timestamptz', precision: 3, nullable: true })
  deletedAt: Date | null;

  @Column({ name: 'reply_to_id', type: 'uuid', nullable: true })
  @ForeignKey('messages', { onDelete: 'SET NULL' })
  replyToId: string | null;

  /** Members mentioned at the send, in the order given. */
  @Column({ name: 'mentioned_user_ids', type: 'uuid', array: true, default: () => "'{}'" })
  mentionedUserIds: string[];
}
