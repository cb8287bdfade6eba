/**
 * Database access for notification jobs (this module owns push_jobs). Jobs are made by one
 * INSERT … SELECT per sent message, claimed in batches with FOR UPDATE SKIP LOCKED and a lease,
 * marked `sending` in a commit of their own just before their pushes go out, and deleted when
 * done. The message, sender, conversation and membership are read (never written) here.
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { LIVE_DEVICE } from './push-devices.repository.js';

export interface JobKey {
  userId: string;
  messageId: string;
}

export interface ClaimedJob extends JobKey {
  attempts: number;
  deviceIds: string[] | null;
}

/** What a job's push says, and whether it should still go out. */
export interface JobContext extends JobKey {
  conversationId: string;
  seq: number;
  text: string;
  senderName: string;
  isDirect: boolean;
  /** Still a member, not the sender, not muted, not deleted, not read yet. */
  eligible: boolean;
}

/**
 * For every member but the sender who has not muted the conversation and has a live device.
 * Presence is not looked at here (the job looks when it runs): the send pays one statement,
 * which answers how many jobs it made (one row; TypeORM gives no row count for an INSERT).
 */
const ENQUEUE = `
  WITH made AS (
    INSERT INTO push_jobs (user_id, message_id, run_at)
    SELECT p.user_id, $1, now() + make_interval(secs => $4)
      FROM participants p
     WHERE p.conversation_id = $2 AND p.user_id <> $3 AND p.left_at IS NULL AND NOT p.muted
       AND EXISTS (SELECT 1 FROM push_devices d WHERE d.user_id = p.user_id AND ${LIVE_DEVICE})
    ON CONFLICT DO NOTHING
    RETURNING 1)
  SELECT count(*)::int AS made FROM made`;

const CLAIM = `
  UPDATE push_jobs j SET claimed_by = $1, run_at = now() + make_interval(secs => $3)
    FROM (SELECT user_id, message_id FROM push_jobs
           WHERE sending_at IS NULL AND run_at <= now()
           ORDER BY run_at LIMIT $2
             FOR UPDATE SKIP LOCKED) due
   WHERE j.user_id = due.user_id AND j.message_id = due.message_id
  RETURNING j.user_id AS "userId", j.message_id AS "messageId", j.attempts,
            j.device_ids AS "deviceIds"`;

const CONTEXT = `
  SELECT k.user_id AS "userId", k.message_id AS "messageId", m.conversation_id AS "conversationId",
         m.seq, m.text, u.display_name AS "senderName", c.is_direct AS "isDirect",
         (p.user_id IS NOT NULL AND p.left_at IS NULL AND NOT p.muted
          AND p.last_read_seq < m.seq AND m.deleted_at IS NULL AND m.sender_id <> k.user_id)
           AS eligible
    FROM unnest($1::uuid[], $2::uuid[]) AS k(user_id, message_id)
    JOIN messages m ON m.id = k.message_id
    JOIN users u ON u.id = m.sender_id
    JOIN conversations c ON c.id = m.conversation_id
    LEFT JOIN participants p ON p.conversation_id = m.conversation_id AND p.user_id = k.user_id`;

const KEYS = `(user_id, message_id) IN (SELECT * FROM unnest($1::uuid[], $2::uuid[]))`;

const columns = (keys: readonly JobKey[]) => [
  keys.map((k) => k.userId),
  keys.map((k) => k.messageId),
];

@Injectable()
export class PushJobsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Answers how many jobs were made (0: nobody to push to, or already enqueued). */
  async enqueue(
    messageId: string,
    conversationId: string,
    senderId: string,
    delaySeconds: number,
  ): Promise<number> {
    const [{ made }] = await this.dataSource.query<[{ made: number }]>(ENQUEUE, [
      messageId,
      conversationId,
      senderId,
      delaySeconds,
    ]);
    return made;
  }

  /** Up to `limit` due jobs, leased to `workerId` for `leaseSeconds`. */
  async claim(workerId: string, limit: number, leaseSeconds: number): Promise<ClaimedJob[]> {
    const [rows] = await this.dataSource.query<[ClaimedJob[], number]>(CLAIM, [
      workerId,
      limit,
      leaseSeconds,
    ]);
    return rows;
  }

  context(keys: readonly JobKey[]): Promise<JobContext[]> {
    if (keys.length === 0) return Promise.resolve([]);
    return this.dataSource.query<JobContext[]>(CONTEXT, columns(keys));
  }

  /**
   * Marks jobs as sending, in their own commit, if this worker still holds them; answers those
   * (a job whose lease passed and another worker took is left to that worker).
   */
  async markSending(workerId: string, keys: readonly JobKey[]): Promise<JobKey[]> {
    if (keys.length === 0) return [];
    const [rows] = await this.dataSource.query<[JobKey[], number]>(
      `UPDATE push_jobs SET sending_at = now(), attempts = attempts + 1
        WHERE ${KEYS} AND claimed_by = $3 AND sending_at IS NULL
        RETURNING user_id AS "userId", message_id AS "messageId"`,
      [...columns(keys), workerId],
    );
    return rows;
  }

  async delete(keys: readonly JobKey[]): Promise<void> {
    if (keys.length === 0) return;
    await this.dataSource.query(`DELETE FROM push_jobs WHERE ${KEYS}`, columns(keys));
  }

  /** Back to the queue after `delayMs`, for `deviceIds` only. */
  async retry(key: JobKey, deviceIds: readonly string[], delayMs: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE push_jobs
          SET sending_at = NULL, claimed_by = NULL, device_ids = $3::uuid[],
              run_at = now() + make_interval(secs => $4)
        WHERE user_id = $1 AND message_id = $2`,
      [key.userId, key.messageId, deviceIds, delayMs / 1000],
    );
  }

  /** Gives back the jobs this worker claimed and did not start (a clean shutdown). */
  async release(workerId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE push_jobs SET claimed_by = NULL, run_at = now()
        WHERE claimed_by = $1 AND sending_at IS NULL`,
      [workerId],
    );
  }

  /**
   * Removes jobs left `sending` by a worker that died mid-push (never sent again: see
   * push.worker.ts) once they are `olderThanSeconds` old; answers how many.
   */
  async pruneAbandoned(olderThanSeconds: number): Promise<number> {
    const [, count] = await this.dataSource.query<[unknown[], number]>(
      `DELETE FROM push_jobs WHERE sending_at < now() - make_interval(secs => $1)`,
      [olderThanSeconds],
    );
    return count;
  }
}
