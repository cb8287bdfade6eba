/** Accounts: creation (unique usernames), lookup and search. */
import { Injectable } from '@nestjs/common';
import { ConflictError, NotFoundError } from '../common/errors/domain-error.js';
import { decodeCursor, encodeCursor } from '../common/pagination/cursor.js';
import { toForwardConnection, type ConnectionShape } from '../common/pagination/connection.type.js';
import { DEFAULT_PAGE_SIZE } from '../common/pagination/pagination.args.js';
import { isUniqueViolation } from '../common/errors/pg-errors.js';
import type { User } from './user.entity.js';
import { UsersRepository, type NewUser } from './users.repository.js';

const CURSOR_KIND = 'user';

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
