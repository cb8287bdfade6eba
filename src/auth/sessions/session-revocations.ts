/**
 * Which sessions have ended, known to every instance without a database query per request: an
 * in-memory set of the session ids revoked within the last access-token lifetime (after that no
 * unexpired token of theirs exists). Filled at startup from the database, kept current by a
 * broadcast on the pub/sub from whichever instance ended a session, and re-read from the database
 * every few seconds in case a broadcast was lost (pub/sub is best effort). Sockets watch their
 * session here and close with 4403 the moment it ends.
 */
import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { BackgroundTasks } from '../../common/timers/background-tasks.js';
import { AppConfig } from '../../config/app.config.js';
import { Channels } from '../../pubsub/channels.js';
import { EventBus } from '../../pubsub/event-bus.js';
import { SessionsRepository } from './sessions.repository.js';

interface RevocationMessage {
  type: 'sessionsRevoked';
  sessionIds: string[];
}

type Watcher = () => void;

/** Slack for clocks of instances that differ a little. */
const CLOCK_SKEW_MS = 60_000;
/** How often the database is re-read for revocations a lost broadcast did not bring. */
const RESYNC_MS = 10_000;

@Injectable()
export class SessionRevocations implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SessionRevocations');
  /** Session id → when it may be forgotten (epoch ms). */
  private readonly revoked = new Map<string, number>();
  /**
   * Session id → what to call when it ends: one function, as a rule (a session's one socket on
   * this instance), or a Set of them. A Set for each would be most of a watch's memory, and every
   * idle socket watches (bench/README.md, "Round four: idle memory").
   */
  private readonly watchers = new Map<string, Watcher | Set<Watcher>>();
  private readonly listeners = new Set<(sessionIds: string[]) => void>();
  private readonly tasks = new BackgroundTasks();
  private readonly keepMs: number;
  private unsubscribe?: () => void;
  private lastSync = 0;

  constructor(
    config: AppConfig,
    private readonly sessions: SessionsRepository,
    private readonly bus: EventBus,
    private readonly channels: Channels,
  ) {
    this.keepMs = config.jwt.expiresInSeconds * 1000 + CLOCK_SKEW_MS;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.unsubscribe = await this.bus.subscribe<RevocationMessage>(
      this.channels.sessionRevocations(),
      (message) => this.apply(message.sessionIds ?? []),
    );
    await this.resync();
    this.tasks.every(RESYNC_MS, () => this.resync());
  }

  async onApplicationShutdown(): Promise<void> {
    this.tasks.stop();
    this.unsubscribe?.();
    await this.tasks.settled();
  }

  /** Per request: O(1), no I/O. */
  isRevoked(sessionId: string): boolean {
    const until = this.revoked.get(sessionId);
    return until !== undefined && until > Date.now();
  }

  /** Calls `onRevoked` once if the session ends; the returned function stops watching. */
  watch(sessionId: string, onRevoked: Watcher): () => void {
    const watching = this.watchers.get(sessionId);
    if (watching === undefined) this.watchers.set(sessionId, onRevoked);
    else if (watching instanceof Set) watching.add(onRevoked);
    else this.watchers.set(sessionId, new Set([watching, onRevoked]));
    return () => this.unwatch(sessionId, onRevoked);
  }

  private unwatch(sessionId: string, onRevoked: Watcher): void {
    const watching = this.watchers.get(sessionId);
    if (watching === onRevoked) this.watchers.delete(sessionId);
    else if (watching instanceof Set && watching.delete(onRevoked) && watching.size === 0)
      this.watchers.delete(sessionId);
  }

  /**
   * Calls `listener` with the sessions this instance learns have ended (each once, as a rule;
   * a restart may tell some again), for what else belongs to a session (push devices).
   */
  onEnded(listener: (sessionIds: string[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sessions just ended in the database: applied here at once, then told to every instance. */
  async announce(sessionIds: readonly string[]): Promise<void> {
    if (sessionIds.length === 0) return;
    this.apply(sessionIds);
    const message: RevocationMessage = { type: 'sessionsRevoked', sessionIds: [...sessionIds] };
    await this.bus.publish([this.channels.sessionRevocations()], message);
  }

  private apply(sessionIds: readonly string[], revokedAt = Date.now()): void {
    const until = revokedAt + this.keepMs;
    const fresh: string[] = [];
    for (const id of sessionIds) {
      if (typeof id !== 'string') continue;
      if (!this.revoked.has(id)) fresh.push(id);
      this.revoked.set(id, Math.max(until, this.revoked.get(id) ?? 0));
      const watching = this.watchers.get(id);
      if (!watching) continue;
      this.watchers.delete(id);
      if (watching instanceof Set) for (const onRevoked of watching) onRevoked();
      else watching();
    }
    if (fresh.length > 0) for (const listener of this.listeners) listener(fresh);
  }

  /** Reads the revocations since the last read (overlapping a little), and forgets old ones. */
  private async resync(): Promise<void> {
    const now = Date.now();
    const since = this.lastSync ? this.lastSync - CLOCK_SKEW_MS : now - this.keepMs;
    try {
      const rows = await this.sessions.findRevokedSince(new Date(since));
      for (const row of rows) this.apply([row.id], row.revokedAt.getTime());
      this.lastSync = now;
    } catch (error) {
      // Kept from the broadcasts meanwhile; the next read covers the gap (lastSync unchanged).
      this.logger.warn(`could not read revoked sessions: ${String(error)}`);
    }
    for (const [id, until] of this.revoked) if (until <= now) this.revoked.delete(id);
  }
}
