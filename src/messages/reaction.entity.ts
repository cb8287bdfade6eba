/**
 * One user's reaction with one emoji to one message. The key makes adding twice a no-op; a
 * message's reactions are one index range (message_id first). Shown as `Reaction` summaries.
 */
import { CreateDateColumn, Entity, ForeignKey, PrimaryColumn } from 'typeorm';

@Entity({ name: 'reactions' })
export class ReactionRow {
  @PrimaryColumn({ name: 'message_id', type: 'uuid' })
  @ForeignKey('messages', { onDelete: 'CASCADE' })
  messageId: string;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  emoji: string;

  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  @ForeignKey('users', { onDelete: 'CASCADE' })
  userId: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;
}
