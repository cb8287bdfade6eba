/** One user blocking another (the pair is the key: blocking twice is no change). */
import { CreateDateColumn, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';

@Entity({ name: 'user_blocks' })
// Who blocks a user: the checks ask "does any of these block me?".
@Index('user_blocks_blocked', ['blockedId', 'blockerId'])
export class UserBlock {
  @PrimaryColumn({ name: 'blocker_id', type: 'uuid' })
  @ForeignKey('users', { onDelete: 'CASCADE' })
  blockerId: string;

  @PrimaryColumn({ name: 'blocked_id', type: 'uuid' })
  @ForeignKey('users', { onDelete: 'CASCADE' })
  blockedId: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;
}
