/**
 * Membership: who is or was in which conversation, with what role. Leaving or being removed
 * keeps the row (`leftAt`), so the change stream can replay the departure; MEMBERS
 * (membership.sql.ts) is the one place that filters departed members out. Doubles as the GraphQL
 * `ConversationMember` type (`user` is resolved).
 */
import { Field, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';

export enum ConversationRole {
  OWNER = 'OWNER',
  ADMIN = 'ADMIN',
  MEMBER = 'MEMBER',
}
registerEnumType(ConversationRole, {
  name: 'ConversationRole',
  description: 'Groups have exactly one OWNER; direct conversations only MEMBERs.',
});

/** What a member's latest change was (the `change` of its MemberEvent). */
export type MemberChange =
  'MEMBER_JOINED' | 'MEMBER_LEFT' | 'MEMBER_REMOVED' | 'MEMBER_ROLE_CHANGED';

@ObjectType('ConversationMember')
@Entity({ name: 'participants' })
// The primary key (conversation_id, user_id) lists a conversation's users; this lists a user's
// conversations.
@Index('participants_user', ['userId', 'conversationId'])
// The member changes after an eventSeq (catch-up), one range scan.
@Index('participants_events', ['conversationId', 'eventSeq'])
// Exactly one owner: never two (this), never none (the services hand the role on when leaving).
@Index('participants_one_owner', ['conversationId'], {
  unique: true,
  where: `"role" = 'OWNER' AND "left_at" IS NULL`,
})
@Check('participants_role', `"role" IN ('OWNER', 'ADMIN', 'MEMBER')`)
export class Participant {
  @PrimaryColumn({ name: 'conversation_id', type: 'uuid' })
  @ForeignKey('conversations', { onDelete: 'CASCADE' })
  conversationId: string;

  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  @ForeignKey('users', { onDelete: 'CASCADE' })
  userId: string;

  /** When the current membership began (a member added again starts anew). */
  @Field()
  @CreateDateColumn({ name: 'joined_at', type: 'timestamptz', precision: 3 })
  joinedAt: Date;

  @Field(() => ConversationRole)
  @Column({ type: 'varchar', length: 6, default: ConversationRole.MEMBER })
  role: ConversationRole;

  /** Set when the member left or was removed; the row stays for the change stream. */
  @Column({ name: 'left_at', type: 'timestamptz', precision: 3, nullable: true })
  leftAt: Date | null;

  /** The eventSeq of this membership's latest change. */
  @Column({ name: 'event_seq', type: 'integer', default: 0 })
  eventSeq: number;

  @Column({ name: 'last_change', type: 'varchar', length: 20, default: 'MEMBER_JOINED' })
  lastChange: MemberChange;

  /** Who made the latest change (null: the member themselves, or the conversation's creation). */
  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  @ForeignKey('users', { onDelete: 'SET NULL' })
  actorId: string | null;

  /**
   * The seq up to which this member has read (read-state/): only moves forward; a member added
   * later starts at the conversation's last seq then.
   */
  @Field(() => Int, { description: 'The seq up to which this member has read (read receipts).' })
  @Column({ name: 'last_read_seq', type: 'integer', default: 0 })
  lastReadSeq: number;

  /** Muted conversations are left out of unreadSummary (and pushes). */
  @Column({ type: 'boolean', default: false })
  muted: boolean;
}
