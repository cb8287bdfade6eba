/** Batches `User.presence` for a page of users: one store read (one Redis round trip) per page. */
import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import type { RequestLoaders } from '../common/dataloader/request-loaders.js';
import { PresenceService, type PresenceRequest } from './presence.service.js';
import type { Presence } from './presence.type.js';

@Injectable()
export class PresenceLoader {
  constructor(private readonly presence: PresenceService) {}

  /**
   * `lastSeenAt`: what the caller's User row says, so unknown users cost no extra query.
   * `viewerId`: who asks (the same for a whole operation), for blocks.
   */
  load(
    loaders: RequestLoaders,
    userId: string,
    lastSeenAt: Date | null | undefined,
    viewerId: string | undefined,
  ): Promise<Presence> {
    return loaders
      .get(
        this,
        () =>
          new DataLoader<PresenceRequest, Presence, string>(
            (requests) => this.presence.getMany(requests, viewerId),
            { cacheKeyFn: (r) => r.userId },
          ),
      )
      .load({ userId, lastSeenAt });
  }
}
