/** Batches the caller's read state for a page of conversations: one query for all of them. */
import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import { byKeys, type RequestLoaders } from '../common/dataloader/request-loaders.js';
import { ReadStateRepository, type ReadState } from './read-state.repository.js';

@Injectable()
export class ReadStateLoader {
  constructor(private readonly repository: ReadStateRepository) {}

  /**
   * Null when the user is not (or no longer) a member. Request loaders live for one operation,
   * which has one caller: the loader is made for the first caller it sees.
   */
  load(loaders: RequestLoaders, userId: string, conversationId: string): Promise<ReadState | null> {
    return this.of(loaders, userId).load(conversationId);
  }

  /** A state this operation already read (a mark's answer): its fields need no query. */
  prime(loaders: RequestLoaders, userId: string, state: ReadState): void {
    this.of(loaders, userId).clear(state.conversationId).prime(state.conversationId, state);
  }

  private of(loaders: RequestLoaders, userId: string): DataLoader<string, ReadState | null> {
    return loaders.get(
      this,
      () =>
        new DataLoader<string, ReadState | null>(async (ids) =>
          byKeys(ids, await this.repository.findStates(userId, ids), (s) => s.conversationId),
        ),
    );
  }
}
