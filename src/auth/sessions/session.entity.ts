/**
 * A session: one login on one device. It holds the hash of its current refresh token (never the
 * token), the generation that token is (each refresh makes the next), and when it ends: unused
 * until `expiresAt` (sliding), or ended on purpose at `revokedAt`.
 */
import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';

@Entity({ name: 'sessions' })
// The user's live sessions (the sessions query, logout everywhere).
@Index('sessions_user', ['userId', 'createdAt'])
// Revocations of the last access-token lifetime, read by every instance at startup.
@Index('sessions_revoked', ['revokedAt'], { where: '"revoked_at" IS NOT NULL' })
export class Session {
  /** Chosen by the server before insert: it is also inside the refresh token. */
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  @ForeignKey('users', { onDelete: 'CASCADE' })
  userId: string;

  /** sha256 (hex) of the current refresh token. */
  @Column({ name: 'refresh_token_hash', type: 'char', length: 64 })
  refreshTokenHash: string;

  /** 1 for the token of the login, then one more per refresh. */
  @Column({ type: 'integer', default: 1 })
  generation: number;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', precision: 3 })
  lastUsedAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz', precision: 3 })
  expiresAt: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', precision: 3, nullable: true })
  revokedAt: Date | null;
}
