/** Database access for sessions: named queries only. */
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { isUuid } from '../../common/uuid.js';
import { Session } from './session.entity.js';

export interface NewSession {
  id: string;
  userId: string;
  refreshTokenHash: string;
  userAgent: string | null;
  expiresAt: Date;
}

/** A live session: not revoked and not expired. */
const LIVE = 's.revoked_at IS NULL AND s.expires_at > now()';

@Injectable()
export class SessionsRepository {
  constructor(@InjectRepository(Session) private readonly sessions: Repository<Session>) {}

  async insert(session: NewSession): Promise<void> {
    await this.sessions.insert({ ...session, lastUsedAt: new Date(), generation: 1 });
  }

  findById(id: string): Promise<Session | null> {
    return isUuid(id) ? this.sessions.findOneBy({ id }) : Promise.resolve(null);
  }

  /**
   * Moves a live session from `generation` to the next with a new token hash and a new expiry.
   * False when it was not at that generation any more (another refresh spent the token first),
   * or has ended meanwhile.
   */
  async rotate(id: string, generation: number, hash: string, expiresAt: Date): Promise<boolean> {
    const result = await this.sessions
      .createQueryBuilder('s')
      .update()
      .set({
        refreshTokenHash: hash,
        generation: generation + 1,
        lastUsedAt: () => 'now()',
        expiresAt,
      })
      .where(
        'id = :id AND generation = :generation AND revoked_at IS NULL AND expires_at > now()',
        { id, generation },
      )
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** The user's live sessions, newest first. */
  findLiveByUser(userId: string): Promise<Session[]> {
    return this.sessions
      .createQueryBuilder('s')
      .where(`s.user_id = :userId AND ${LIVE}`, { userId })
      .orderBy('s.created_at', 'DESC')
      .getMany();
  }

  /**
   * Ends the user's live sessions that `which` names (one id, all, or all but one); answers the
   * ids it ended.
   */
  async revoke(userId: string, which: { only: string } | { allBut?: string }): Promise<string[]> {
    const query = this.sessions
      .createQueryBuilder()
      .update()
      .set({ revokedAt: () => 'now()' })
      .where('user_id = :userId AND revoked_at IS NULL AND expires_at > now()', { userId })
      .returning(['id']);
    if ('only' in which) {
      if (!isUuid(which.only)) return [];
      query.andWhere('id = :id', { id: which.only });
    } else if (which.allBut) {
      query.andWhere('id <> :id', { id: which.allBut });
    }
    const result = await query.execute();
    return (result.raw as { id: string }[]).map((row) => row.id);
  }

  /** Ends one session whatever its user (the reuse of a spent refresh token); true if it was live. */
  async revokeById(id: string): Promise<boolean> {
    const result = await this.sessions
      .createQueryBuilder()
      .update()
      .set({ revokedAt: () => 'now()' })
      .where('id = :id AND revoked_at IS NULL', { id })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /**
   * Deletes up to `limit` sessions that ended (revoked or expired) before `endedBefore`; answers
   * how many. Their tokens stopped long ago: a refresh token of one is simply unknown.
   */
  async deleteEndedBefore(endedBefore: Date, limit: number): Promise<number> {
    // Counted in SQL: TypeORM answers a bare DELETE … RETURNING with [rows, rowCount], not rows.
    const [{ deleted }] = (await this.sessions.query(
      `WITH gone AS (
         DELETE FROM sessions WHERE id IN (
           SELECT id FROM sessions WHERE coalesce(revoked_at, expires_at) < $1 LIMIT $2)
         RETURNING id)
       SELECT count(*)::int AS deleted FROM gone`,
      [endedBefore, limit],
    )) as [{ deleted: number }];
    return deleted;
  }

  /** Ids of the sessions revoked after `since` (the ones whose access tokens may still be out). */
  async findRevokedSince(since: Date): Promise<{ id: string; revokedAt: Date }[]> {
    return this.sessions
      .createQueryBuilder('s')
      .select(['s.id', 's.revokedAt'])
      .where('s.revoked_at > :since', { since })
      .getMany() as Promise<{ id: string; revokedAt: Date }[]>;
  }
}
