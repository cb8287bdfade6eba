/**
 * Database access for push devices (this module owns push_devices): named queries only. A device
 * counts only while its session is live (or it has none: an external identity's token), so a
 * session that ended by any path (logout, revocation, reuse, expiry) stops its devices at once;
 * the rows themselves go when the session's end is heard (PushDevicesService) or with the session.
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { isUuid } from '../common/uuid.js';
import type { PushDeviceKind } from './dto/push.types.js';

export interface DeviceRow {
  id: string;
  kind: PushDeviceKind;
  createdAt: Date;
}

/** What a transport needs to reach a device. */
export interface PushTarget {
  id: string;
  userId: string;
  kind: PushDeviceKind;
  endpoint: string;
  p256dh: string;
  auth: string;
}

export interface NewDevice {
  userId: string;
  sessionId: string | null;
  kind: PushDeviceKind;
  endpoint: string;
  p256dh: string;
  auth: string;
}

/** `d` (push_devices) whose session, if any, is live. */
export const LIVE_DEVICE = `(d.session_id IS NULL OR EXISTS (
    SELECT 1 FROM sessions s
     WHERE s.id = d.session_id AND s.revoked_at IS NULL AND s.expires_at > now()))`;

/** A subscription registered again (another login in that browser) moves to the new session. */
const UPSERT = `
  INSERT INTO push_devices (user_id, session_id, kind, endpoint, p256dh, auth)
  VALUES ($1, $2, $3, $4, $5, $6)
  ON CONFLICT (endpoint) DO UPDATE
     SET user_id = EXCLUDED.user_id, session_id = EXCLUDED.session_id, kind = EXCLUDED.kind,
         p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth
  RETURNING id, kind, created_at AS "createdAt"`;

@Injectable()
export class PushDevicesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async upsert(device: NewDevice): Promise<DeviceRow> {
    const [row] = await this.dataSource.query<DeviceRow[]>(UPSERT, [
      device.userId,
      device.sessionId,
      device.kind,
      device.endpoint,
      device.p256dh,
      device.auth,
    ]);
    return row;
  }

  /** The user's devices of live sessions, newest first. */
  findLiveByUser(userId: string): Promise<DeviceRow[]> {
    return this.dataSource.query<DeviceRow[]>(
      `SELECT d.id, d.kind, d.created_at AS "createdAt" FROM push_devices d
        WHERE d.user_id = $1 AND ${LIVE_DEVICE} ORDER BY d.created_at DESC, d.id`,
      [userId],
    );
  }

  /** The devices of live sessions of these users (or only `deviceIds` of them, when given). */
  findTargets(userIds: readonly string[], deviceIds?: readonly string[]): Promise<PushTarget[]> {
    if (userIds.length === 0) return Promise.resolve([]);
    return this.dataSource.query<PushTarget[]>(
      `SELECT d.id, d.user_id AS "userId", d.kind, d.endpoint, d.p256dh, d.auth
         FROM push_devices d
        WHERE d.user_id = ANY($1::uuid[]) AND ($2::uuid[] IS NULL OR d.id = ANY($2::uuid[]))
          AND ${LIVE_DEVICE}`,
      [userIds, deviceIds ?? null],
    );
  }

  /** False when the user has no such device (of a live session). */
  async deleteOfUser(userId: string, id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    // DELETE answers [rows, count] through TypeORM.
    const [, count] = await this.dataSource.query<[unknown[], number]>(
      `DELETE FROM push_devices d WHERE d.id = $1 AND d.user_id = $2 AND ${LIVE_DEVICE}`,
      [id, userId],
    );
    return count > 0;
  }

  /** Devices their push service says are gone (404/410). */
  async deleteByIds(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.dataSource.query(`DELETE FROM push_devices WHERE id = ANY($1::uuid[])`, [ids]);
  }

  async deleteBySessions(sessionIds: readonly string[]): Promise<void> {
    if (sessionIds.length === 0) return;
    await this.dataSource.query(`DELETE FROM push_devices WHERE session_id = ANY($1::uuid[])`, [
      sessionIds,
    ]);
  }
}
