/** Batches user lookups within one GraphQL operation: one query per page, not one per row. */
import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import { byKeys, type RequestLoaders } from '../common/dataloader/request-loaders.js';
import type { User } from './user.entity.js';
import { UsersRepository } from './users.repository.js';

@Injectable()
export class UserLoader {
  constructor(private readonly users: UsersRepository) {}

  load(loaders: RequestLoaders, id: string): Promise<User | null> {
    return this.loader(loaders).load(id);
  }

  private loader(loaders: RequestLoaders): DataLoader<string, User | null> {
    return loaders.get(
      this,
      () =>
        new DataLoader(async (ids: readonly string[]) =>
          byKeys(ids, await this.users.findByIds(ids), (u) => u.id),
        ),
    );
  }
}
