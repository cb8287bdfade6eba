/**
 * Reading presence: the status each user was last announced with, from the store, and for users
 * it does not know (never seen, or forgotten since) the last-seen time PostgreSQL holds. The
 * write path (claims, renewals, sweeps) is presence-claims.service.ts.
 */
import { Injectable, Logger } from '@nestjs/common';
import { ServiceUnavailableError } from '../common/errors/domain-error.js';
import { BlocksService } from '../users/blocks/blocks.service.js';
import { UsersRepository } from '../users/users.repository.js';
import { PresenceStore } from './presence.store.js';
import { PresenceStatus, type Presence } from './presence.type.js';

/** A user whose presence is asked, with the last-seen time already at hand (from a User row). */
export interface PresenceRequest {
  userId: string;
  lastSeenAt?: Date | null;
}

@Injectable()
export class PresenceService {
  private readonly logger = new Logger('Presence');
  /** Whether read failures are being logged already (one line per streak). */
  private failing = false;

  constructor(
    private readonly store: PresenceStore,
    private readonly users: UsersRepository,
    private readonly blocks: BlocksService,
  ) {}

  /**
   * Presence of each user as `viewerId` may see it, in order: a user who blocks the viewer is
   * OFFLINE with no lastSeenAt to them.
   */
  async getMany(requests: readonly PresenceRequest[], viewerId?: string): Promise<Presence[]> {
    const ids = requests.map((r) => r.userId);
    const others = viewerId ? ids.filter((id) => id !== viewerId) : [];
    const hidden =
      others.length > 0 ? await this.blocks.blockersOf(viewerId!, others) : new Set<string>();
    const presences = await this.read(requests);
    return presences.map((p) => (hidden.has(p.userId) ? hiddenPresence(p.userId) : p));
  }

  /** Presence of each user, in order; one store read and at most one query per call. */
  private async read(requests: readonly PresenceRequest[]): Promise<Presence[]> {
    const ids = requests.map((r) => r.userId);
    const stored = await this.store.read(ids).catch((error: unknown) => {
      if (!this.failing) this.logger.warn(`presence read failed: ${String(error)}`);
      this.failing = true;
      throw new ServiceUnavailableError();
    });
    this.failing = false;
    // Unknown to the store: the last-seen time PostgreSQL holds, unless the caller has it.
    const missing = [
      ...new Set(
        requests
          .filter((r) => !stored.has(r.userId) && r.lastSeenAt === undefined)
          .map((r) => r.userId),
      ),
    ];
    const rows = missing.length > 0 ? await this.users.findByIds(missing) : [];
    const lastSeen = new Map(rows.map((u) => [u.id, u.lastSeenAt]));
    return requests.map(({ userId, lastSeenAt }) => {
      const known = stored.get(userId);
      if (known?.online) return { userId, status: PresenceStatus.ONLINE, lastSeenAt: null };
      return {
        userId,
        status: PresenceStatus.OFFLINE,
        lastSeenAt: known?.lastSeenAt ?? lastSeenAt ?? lastSeen.get(userId) ?? null,
      };
    });
  }
}

/** How a user who blocks the viewer looks to them. */
export function hiddenPresence(userId: string): Presence {
  return { userId, status: PresenceStatus.OFFLINE, lastSeenAt: null };
}
