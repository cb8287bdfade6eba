/** Membership: who is in which conversation. Leaving deletes the row. */
import { CreateDateColumn, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';

@Entity({ name: 'participants' })
// The primary key (conversation_id, user_id) lists a conversation's users; this lists a user's
// conversations.
@Index('participants_user', ['userId', 'conversationId'])
export class Participant {
  @PrimaryColumn({ name: 'conversation_id', type: 'uuid' })
  @ForeignKey('conversations', { onDelete: 'CASCADE' })
  conversationId: string;

  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  @ForeignKey('users', { onDelete: 'CASCADE' })
  userId: string;

  @CreateDateColumn({ name: 'joined_at', type: 'timestamptz', precision: 3 })
  joinedAt: Date;
}
