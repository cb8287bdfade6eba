/**
 * A device that receives pushes: for WEB_PUSH, a browser's push subscription (its endpoint and
 * the keys its payloads are encrypted to). It belongs to the session that registered it (null
 * for an external identity provider's token): ending the session removes it.
 */
import {
  Column,
  CreateDateColumn,
  Entity,
  ForeignKey,
  Index,
  PrimaryGeneratedColumn,
} from 'typeorm';

@Entity({ name: 'push_devices' })
@Index('push_devices_user', ['userId'])
@Index('push_devices_session', ['sessionId'])
// One browser subscription is one device: registering it again (another login) moves it.
@Index('push_devices_endpoint', ['endpoint'], { unique: true })
export class PushDevice {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  @ForeignKey('users', { onDelete: 'CASCADE' })
  userId: string;

  @Column({ name: 'session_id', type: 'uuid', nullable: true })
  @ForeignKey('sessions', { onDelete: 'CASCADE' })
  sessionId: string | null;

  @Column({ type: 'varchar', length: 16 })
  kind: string;

  @Column({ type: 'varchar', length: 2048 })
  endpoint: string;

  /** The subscription's P-256 public key, base64url. */
  @Column({ type: 'varchar', length: 128 })
  p256dh: string;

  /** The subscription's auth secret, base64url. */
  @Column({ type: 'varchar', length: 64 })
  auth: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;
}
