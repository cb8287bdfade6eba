/** Accounts: creation (unique usernames), lookup and search. */
import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { ConflictError, NotFoundError } from '../common/errors/domain-error.js';
import { decodeCursor, encodeCursor } from '../common/pagination/cursor.js';
import { toForwardConnection, type ConnectionShape } from '../common/pagination/connection.type.js';
import { DEFAULT_PAGE_SIZE } from '../common/pagination/pagination.args.js';
import { isUniqueViolation } from '../common/errors/pg-errors.js';
import { displayNameText } from '../common/validation/text.validators.js';
import type { User } from './user.entity.js';
import { UsersRepository, type NewUser } from './users.repository.js';

const CURSOR_KIND = 'user';

export interface ExternalIdentity {
  issuer: string;
  subject: string;
  preferredUsername?: string;
  name?: string;
}

/** A valid username (3–32 of a–z, 0–9, "_", ".") made from what an identity provider calls it. */
function usernameFrom(preferred: string | undefined): string {
  const cleaned = (preferred ?? '')
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9_.]+/g, '_')
    .replace(/^[_.]+|[_.]+$/g, '')
    .slice(0, 32);
  return cleaned.length >= 3 ? cleaned : `user_${cleaned}`.replace(/_$/, '').padEnd(3, '_');
}

/** The `name` claim without control or format characters (bidi overrides, zero-width), ≤ 64. */
function displayNameFrom(name: string | undefined): string | undefined {
  const cleaned = name && displayNameText(name.replace(/\p{Cc}/gu, '')).slice(0, 64);
  return cleaned || undefined;
}

@Injectable()
export class UsersService {
  constructor(private readonly users: UsersRepository) {}

  async create(user: NewUser): Promise<User> {
    try {
      return await this.users.insert(user);
    } catch (error) {
      if (isUniqueViolation(error, 'users_username_key')) {
        throw new ConflictError('That username is taken');
      }
      throw error;
    }
  }

  /**
   * The user an external identity provider knows as (issuer, subject), created on first sight:
   * named from its preferred username (made valid, and unique with a suffix when taken).
   */
  async findOrCreateExternal(identity: ExternalIdentity): Promise<string> {
    const { issuer, subject } = identity;
    const found = await this.users.findIdByExternalIdentity(issuer, subject);
    if (found) return found;
    const base = usernameFrom(identity.preferredUsername);
    for (let attempt = 0; attempt < 8; attempt++) {
      const username =
        attempt === 0 ? base : `${base.slice(0, 23)}_${randomBytes(4).toString('hex')}`;
      try {
        const user = await this.users.insert({
          username,
          displayName: displayNameFrom(identity.name) ?? username,
          externalIssuer: issuer,
          externalSubject: subject,
        });
        return user.id;
      } catch (error) {
        if (isUniqueViolation(error, 'users_external_identity')) {
          // Another request created this user a moment ago.
          const id = await this.users.findIdByExternalIdentity(issuer, subject);
          if (id) return id;
        }
        if (!isUniqueViolation(error, 'users_username_key')) throw error;
      }
    }
    throw new ConflictError('Could not find a free username');
  }

  async getById(id: string): Promise<User> {
    const user = await this.users.findById(id);
    if (!user) throw new NotFoundError('User');
    return user;
  }

  async search(args: {
    search?: string;
    first?: number;
    after?: string;
  }): Promise<ConnectionShape<User>> {
    const limit = args.first ?? DEFAULT_PAGE_SIZE;
    const after = args.after
      ? decodeCursor<[string]>(CURSOR_KIND, args.after, ['string'])[0]
      : undefined;
    const rows = await this.users.findPageByPrefix(args.search?.trim(), after, limit + 1);
    const cursorOf = (u: User) => encodeCursor(CURSOR_KIND, u.username);
    return toForwardConnection(rows, limit, cursorOf, after !== undefined);
  }
}
