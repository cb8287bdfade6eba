/** Database access for users: named queries only. */
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { isUuid } from '../common/uuid.js';
import { readFromReplica } from '../database/replica-reads.js';
import { User } from './user.entity.js';

export interface NewUser {
  username: string;
  displayName: string;
  passwordHash?: string;
  externalIssuer?: string;
  externalSubject?: string;
}

@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  /** Inserts an account; a taken username surfaces as the unique violation users_username_key. */
  async insert(user: NewUser): Promise<User> {
    const rows = await this.users
      .createQueryBuilder()
      .insert()
      .values(user)
      .returning(['id', 'username', 'displayName', 'avatarUrl', 'createdAt', 'lastSeenAt'])
      .execute();
    return this.users.create(rows.generatedMaps[0] as User);
  }

  /** The id of the user an external identity provider knows as (issuer, subject). */
  async findIdByExternalIdentity(issuer: string, subject: string): Promise<string | null> {
    const row = await this.users
      .createQueryBuilder('u')
      .select('u.id', 'id')
      .where('u.external_issuer = :issuer AND u.external_subject = :subject', { issuer, subject })
      .getRawOne<{ id: string }>();
    return row?.id ?? null;
  }

  findById(id: string): Promise<User | null> {
    return isUuid(id) ? this.users.findOneBy({ id }) : Promise.resolve(null);
  }

  findByIds(ids: readonly string[]): Promise<User[]> {
    const valid = ids.filter(isUuid);
    return valid.length === 0 ? Promise.resolve([]) : this.users.findBy({ id: In(valid) });
  }

  /** The one query that reads a password hash: for checking a login. */
  findWithPasswordHash(username: string): Promise<User | null> {
    return this.users
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.username = :username', { username })
      .getOne();
  }

  /** The caller's own hash, for checking the current password before changing it. */
  findWithPasswordHashById(id: string): Promise<User | null> {
    if (!isUuid(id)) return Promise.resolve(null);
    return this.users
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.id = :id', { id })
      .getOne();
  }

  async updateProfile(
    id: string,
    changes: { displayName?: string; avatarUrl?: string | null },
  ): Promise<void> {
    await this.users.update({ id }, changes);
  }

  async updatePasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.users.update({ id }, { passwordHash });
  }

  /** How many of these ids are existing users. */
  countExisting(ids: readonly string[]): Promise<number> {
    const valid = ids.filter(isUuid);
    return valid.length === 0 ? Promise.resolve(0) : this.users.countBy({ id: In(valid) });
  }

  /**
   * Users whose username or display name starts with `prefix` (case-insensitive), ordered by
   * username, after the username `afterUsername`; both prefixes use varchar_pattern_ops indexes.
   */
  findPageByPrefix(
    prefix: string | undefined,
    afterUsername: string | undefined,
    limit: number,
  ): Promise<User[]> {
    // On the read replica when there is one: a user registered a moment ago may show a moment
    // later, which a search can live with.
    return readFromReplica(this.users.manager.connection, (manager) => {
      const query = manager
        .getRepository(User)
        .createQueryBuilder('u')
        .orderBy('u.username', 'ASC')
        .limit(limit);
      if (prefix) {
        const pattern = `${escapeLike(prefix.toLowerCase())}%`;
        query.andWhere('(u.username LIKE :pattern OR lower(u.display_name) LIKE :pattern)', {
          pattern,
        });
      }
      if (afterUsername !== undefined)
        query.andWhere('u.username > :afterUsername', { afterUsername });
      return query.getMany();
    });
  }

  /** When each user was last seen: one statement for a presence sweep's departures. */
  async updateLastSeen(seen: readonly { userId: string; lastSeenAt: Date }[]): Promise<void> {
    if (seen.length === 0) return;
    await this.users.query(
      `UPDATE users AS u SET last_seen_at = s.at
         FROM unnest($1::uuid[], $2::timestamptz[]) AS s(id, at)
        WHERE u.id = s.id`,
      [seen.map((s) => s.userId), seen.map((s) => s.lastSeenAt.toISOString())],
    );
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
