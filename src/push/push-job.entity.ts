/**
 * A notification job: one per (user, message), made after the send commits and due after
 * PUSH_DELAY_SECONDS. Workers claim due jobs with FOR UPDATE SKIP LOCKED and a lease (`run_at`
 * moved past now); `sending_at` is set, in its own commit, just before the push goes out, and a
 * job with it set is never claimed again (see push.worker.ts for why). Done jobs are deleted.
 */
import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';

@Entity({ name: 'push_jobs' })
// The claim: due jobs not yet sending, oldest first.
@Index('push_jobs_due', ['runAt'], { where: '"sending_at" IS NULL' })
export class PushJob {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  @ForeignKey('users', { onDelete: 'CASCADE' })
  userId: string;

  @PrimaryColumn({ name: 'message_id', type: 'uuid' })
  @ForeignKey('messages', { onDelete: 'CASCADE' })
  messageId: string;

  /** When it may be claimed next: due time, retry time, or the end of a worker's lease. */
  @Column({ name: 'run_at', type: 'timestamptz', precision: 3 })
  runAt: Date;

  /** Push attempts made so far (429/5xx retries are bounded by PUSH_MAX_ATTEMPTS). */
  @Column({ type: 'integer', default: 0 })
  attempts: number;

  /** The worker holding the lease. */
  @Column({ name: 'claimed_by', type: 'uuid', nullable: true })
  claimedBy: string | null;

  @Column({ name: 'sending_at', type: 'timestamptz', precision: 3, nullable: true })
  sendingAt: Date | null;

  /** On a retry: the devices still to push to; null: every device of the user. */
  @Column({ name: 'device_ids', type: 'uuid', array: true, nullable: true })
  deviceIds: string[] | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;
}
