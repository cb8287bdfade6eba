/**
 * The write path of presence. A user is ONLINE while at least one of their authenticated
 * WebSocket connections is open on any instance (or a heartbeat is fresh), OFFLINE otherwise:
 * - each open connection is a claim in the store, renewed by its instance every third of the TTL,
 *   so the claims of an instance that dies without closing its sockets expire;
 * - when the last claim goes, the user stays ONLINE for the grace period (a quick reconnect is no
 *   change), then a sweep (every instance, every second, each change made once) says OFFLINE and
 *   the last-seen time is written to PostgreSQL, which outlives a Redis restart;
 * - whatever the store could not take (Redis down) is retried at the next renewal.
 * The sweep is presence.sweep.ts, the failure bookkeeping presence.health.ts; reads are
 * presence.service.ts.
 */
import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import DataLoader from 'dataloader';
import { ServiceUnavailableError } from '../common/errors/domain-error.js';
import { BackgroundTasks } from '../common/timers/background-tasks.js';
import { AppConfig } from '../config/app.config.js';
import { AppMetrics } from '../metrics/app.metrics.js';
import {
  WsConnections,
  type WsConnection,
  type WsConnectionListener,
} from '../realtime/ws-connections.js';
import { UsersRepository } from '../users/users.repository.js';
import { PresenceHealth } from './presence.health.js';
import { PresenceStore, type Claim, type Release } from './presence.store.js';
import { PresenceSweep } from './presence.sweep.js';

/** How often each instance looks for expired claims and ended grace periods. */
export const SWEEP_INTERVAL_MS = 1000;
/** Claims renewed per store call (see renew). */
const RENEWAL_CHUNK = 1000;
/** The claim id of a client's heartbeat (one per user, renewed by each heartbeat). */
const HEARTBEAT_CLAIM = 'heartbeat';

@Injectable()
export class PresenceClaimsService
  implements OnApplicationBootstrap, BeforeApplicationShutdown, WsConnectionListener
{
  private readonly logger = new Logger('Presence');
  private readonly ttlMs: number;
  private readonly graceMs: number;
  /** This instance's open connections: connection id → user id. */
  private readonly local = new Map<string, string>();
  /** Opened while the store was unreachable: claimed, and announced, at the next renewal. */
  private readonly unclaimed = new Set<string>();
  /** Closed while the store was unreachable: released at the next renewal. */
  private readonly unreleased = new Map<string, Release>();
  private readonly tasks = new BackgroundTasks();
  /** Connections opened in this turn of the event loop, claimed together (see opened). */
  private opening?: { claims: Map<string, Claim>; done: Promise<void> };
  /** Connections closed in one turn, released together (a storm drops thousands at once). */
  private readonly closes = new DataLoader<Release, void>(
    async (releases) => {
      await this.release(releases);
      return releases.map(() => undefined);
    },
    // No cache: each close is its own release. A turn, as the openings' batch (see opened).
    { cache: false, batchScheduleFn: (run) => setImmediate(run), maxBatchSize: 10_000 },
  );
  private readonly health = new PresenceHealth(this.logger);
  private readonly sweep: PresenceSweep;

  constructor(
    config: AppConfig,
    private readonly store: PresenceStore,
    private readonly connections: WsConnections,
    users: UsersRepository,
    private readonly metrics: AppMetrics,
  ) {
    this.ttlMs = config.presence.ttlSeconds * 1000;
    this.graceMs = config.presence.graceMs;
    this.sweep = new PresenceSweep({
      store,
      users,
      metrics,
      health: this.health,
      logger: this.logger,
      beforePass: () => this.renew(),
      stopping: () => this.tasks.stopping,
    });
  }

  onApplicationBootstrap(): void {
    this.connections.listen(this);
    this.tasks.every(this.ttlMs / 3, () => this.renew());
    this.tasks.every(SWEEP_INTERVAL_MS, () => this.sweep.run());
  }

  /**
   * Hands this instance's claims to the grace period: clients reconnecting to another instance in
   * time are no change, the others are announced OFFLINE by a surviving instance's sweep (or by
   * the next one to start). Never throws: Redis may already be going away.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.tasks.stop();
    await this.tasks.settled();
    const closedAt = new Date();
    const releases = [...this.local].map(([claimId, userId]) => ({ claimId, userId, closedAt }));
    this.local.clear();
    await this.release(releases);
    // Closes that raced with the above (sockets closing meanwhile) finish before Redis goes.
    await this.tasks.settled();
  }

  /**
   * Claims for the connections opened in this turn of the event loop go to the store together
   * (one script call per CLAIM_BATCH instead of one each: a reconnect storm opens thousands at
   * once); each resolves once its batch is claimed, so a connection is acknowledged ONLINE.
   */
  opened(connection: WsConnection): Promise<void> {
    if (this.tasks.stopping) return Promise.resolve();
    this.local.set(connection.id, connection.userId);
    if (!this.opening) {
      const batch = new Map<string, Claim>();
      this.opening = {
        claims: batch,
        done: this.tasks.track(
          new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.claimOpened(batch)),
        ),
      };
    }
    this.opening.claims.set(connection.id, { userId: connection.userId, claimId: connection.id });
    return this.opening.done;
  }

  private async claimOpened(batch: Map<string, Claim>): Promise<void> {
    // Later openings start the next batch; this one's claims leave now, before any release.
    this.opening = undefined;
    const claims = [...batch.values()];
    try {
      this.countOnline((await this.store.claim(claims, true)).length);
      this.health.recovered();
    } catch (error) {
      for (const c of claims) if (this.local.has(c.claimId)) this.unclaimed.add(c.claimId);
      this.health.failed('claim', error);
    }
  }

  closed(connection: WsConnection): Promise<void> {
    // Not ours any more when shutdown already released it.
    if (!this.local.delete(connection.id)) return Promise.resolve();
    this.unclaimed.delete(connection.id);
    // Closed before its batch left: never claimed, so nothing to release.
    if (this.opening?.claims.delete(connection.id)) return Promise.resolve();
    return this.tasks.track(
      this.closes.load({ userId: connection.userId, claimId: connection.id, closedAt: new Date() }),
    );
  }

  /** A client without a socket: online for one TTL from now. */
  async heartbeat(userId: string): Promise<void> {
    try {
      this.countOnline(
        (await this.store.claim([{ userId, claimId: HEARTBEAT_CLAIM }], true)).length,
      );
    } catch (error) {
      this.health.failed('heartbeat', error);
      throw new ServiceUnavailableError();
    }
  }

  private async release(releases: readonly Release[]): Promise<void> {
    if (releases.length === 0) return;
    try {
      const last = await this.store.releaseAll(releases);
      for (const r of releases) this.unreleased.delete(r.claimId);
      this.health.recovered();
      // A sweep right after the grace period, so OFFLINE comes on time, not up to a second late.
      if (last.some(Boolean) && !this.tasks.stopping)
        this.tasks.after(this.graceMs + 10, () => this.sweep.run());
    } catch (error) {
      for (const r of releases) this.unreleased.set(r.claimId, r);
      this.health.failed('release', error);
    }
  }

  /** Renews every claim of this instance, after retrying what the store missed. */
  private async renew(): Promise<void> {
    await this.release([...this.unreleased.values()]);
    const unclaimed: Claim[] = [];
    const renewals: string[] = [];
    for (const [claimId, userId] of this.local) {
      // Claimed by its opening batch, as an opening (a renewal would not announce it).
      if (this.opening?.claims.has(claimId)) continue;
      if (this.unclaimed.has(claimId)) unclaimed.push({ userId, claimId });
      else renewals.push(claimId);
    }
    try {
      let announced = (await this.store.claim(unclaimed, true)).length;
      for (const c of unclaimed) this.unclaimed.delete(c.claimId);
      // A chunk at a time: tens of thousands of claims' keys and arguments are then never held
      // at once (garbage the young generation collects; bench/README.md, round two). Each chunk
      // is read from `local` as it leaves, so a connection closed meanwhile is not claimed again
      // after its release.
      for (let i = 0; i < renewals.length; i += RENEWAL_CHUNK) {
        const chunk: Claim[] = [];
        for (const claimId of renewals.slice(i, i + RENEWAL_CHUNK)) {
          const userId = this.local.get(claimId);
          if (userId !== undefined) chunk.push({ userId, claimId });
        }
        announced += (await this.store.claim(chunk, false)).length;
      }
      this.countOnline(announced);
      this.health.renewed();
    } catch (error) {
      this.health.failed('renewal', error);
    }
  }

  /** The store made each change it reports once, on one instance: this one. */
  private countOnline(changes: number): void {
    if (changes > 0) this.metrics.presenceChanges.inc({ status: 'online' }, changes);
  }
}
