/**
 * Presence in Redis, shared by every instance: the scripts in presence.scripts.ts make each
 * change atomically. The connections opened (or closed) in one turn are one script call per
 * CLAIM_BATCH (EVALSHA); renewals of all of an instance's connections likewise, in one pipeline.
 * On a Redis Cluster the same work is grouped by presence shard (one slot each, see
 * pubsub/channels.ts): a script or a pipeline never spans two slots.
 */
import type { ChainableCommander } from 'ioredis';
import type { Channels } from '../pubsub/channels.js';
import type { RedisClient } from '../pubsub/pubsub.tokens.js';
import { presenceScripts } from './presence.scripts.js';
import {
  PresenceStore,
  type Claim,
  type OfflineTransition,
  type PresenceTimings,
  type Release,
  type StoredPresence,
} from './presence.store.js';

const CLAIM_BATCH = 500;
const SWEEP_BATCH = 500;
/** Batches per shard and sweep: at most 10,000 users a second each, so one sweep stays short. */
const SWEEP_PASSES = 20;
/** An OFFLINE status (with its last-seen time) stays this long; PostgreSQL keeps it after. */
const OFFLINE_STATE_TTL_MS = 30 * 24 * 3600 * 1000;

type Arg = string | number;
interface Scripts {
  presenceClaim(numKeys: number, ...args: Arg[]): Promise<string[]>;
  presenceDue(...args: Arg[]): Promise<string[]>;
}
interface PipelineScripts {
  presenceClaim(numKeys: number, ...args: Arg[]): ChainableCommander;
  presenceRelease(numKeys: number, ...args: Arg[]): ChainableCommander;
  presenceSettle(...args: Arg[]): ChainableCommander;
}

export class RedisPresenceStore extends PresenceStore {
  private readonly redis: RedisClient & Scripts;

  constructor(
    redis: RedisClient,
    private readonly channels: Channels,
    private readonly timings: PresenceTimings,
  ) {
    super();
    // Commands are defined on the client (once): ioredis sends EVALSHA and reloads the script
    // by itself when Redis answers NOSCRIPT (after a restart).
    if (!('presenceClaim' in redis)) {
      const { CLAIM, RELEASE, DUE, SETTLE } = presenceScripts(
        redis.isCluster ? 'SPUBLISH' : 'PUBLISH',
      );
      redis.defineCommand('presenceClaim', { lua: CLAIM });
      redis.defineCommand('presenceRelease', { lua: RELEASE });
      redis.defineCommand('presenceDue', { lua: DUE, numberOfKeys: 1 });
      redis.defineCommand('presenceSettle', { lua: SETTLE, numberOfKeys: 3 });
    }
    this.redis = redis as RedisClient & Scripts;
  }

  async claim(claims: readonly Claim[], announceUnknown: boolean): Promise<string[]> {
    if (claims.length === 0) return [];
    const announced = await Promise.all(
      [...this.byShard(claims)].map(async ([tag, inShard]) => {
        const pipeline = this.redis.pipeline() as ChainableCommander & PipelineScripts;
        for (let i = 0; i < inShard.length; i += CLAIM_BATCH) {
          const batch = inShard.slice(i, i + CLAIM_BATCH);
          const keys = batch.flatMap((c) => [this.connKey(c.userId), this.stateKey(c.userId)]);
          const args = batch.flatMap((c) => [
            c.userId,
            c.claimId,
            this.channels.presence(c.userId),
          ]);
          pipeline.presenceClaim(
            keys.length + 1,
            this.expiryKey(tag),
            ...keys,
            this.timings.ttlMs,
            announceUnknown ? 1 : 0,
            ...args,
          );
        }
        return (unwrap(await pipeline.exec()) as string[][]).flat();
      }),
    );
    return announced.flat();
  }

  async releaseAll(releases: readonly Release[]): Promise<boolean[]> {
    if (releases.length === 0) return [];
    const last = new Map<Release, boolean>();
    await Promise.all(
      [...this.byShard(releases)].map(async ([tag, inShard]) => {
        const pipeline = this.redis.pipeline() as ChainableCommander & PipelineScripts;
        for (let i = 0; i < inShard.length; i += CLAIM_BATCH) {
          const batch = inShard.slice(i, i + CLAIM_BATCH);
          const keys = batch.flatMap((r) => [this.connKey(r.userId), this.stateKey(r.userId)]);
          const args = batch.flatMap((r) => [r.userId, r.claimId, r.closedAt.getTime()]);
          pipeline.presenceRelease(
            keys.length + 1,
            this.expiryKey(tag),
            ...keys,
            this.timings.graceMs,
            ...args,
          );
        }
        const flags = (unwrap(await pipeline.exec()) as number[][]).flat();
        inShard.forEach((r, i) => last.set(r, flags[i] === 1));
      }),
    );
    return releases.map((r) => last.get(r) ?? false);
  }

  async sweep(): Promise<OfflineTransition[]> {
    const swept = await Promise.all(
      this.channels.presenceTags().map((tag) => this.sweepShard(tag)),
    );
    return swept.flat();
  }

  private async sweepShard(tag: string): Promise<OfflineTransition[]> {
    const expiryKey = this.expiryKey(tag);
    const swept: OfflineTransition[] = [];
    // A full batch means more are due (a mass disconnect, an instance gone): go on, or OFFLINE
    // trickles out at SWEEP_BATCH users a second (a storm's 2,000 users delayed the next OFFLINE
    // by 4 s). Every settled user leaves the due range, so each pass reads new ones.
    for (let pass = 0; pass < SWEEP_PASSES; pass++) {
      const due = await this.redis.presenceDue(expiryKey, SWEEP_BATCH);
      if (due.length === 0) break;
      const pipeline = this.redis.pipeline() as ChainableCommander & PipelineScripts;
      for (const userId of due) {
        pipeline.presenceSettle(
          expiryKey,
          this.connKey(userId),
          this.stateKey(userId),
          userId,
          this.timings.ttlMs,
          OFFLINE_STATE_TTL_MS,
          this.channels.presence(userId),
        );
      }
      const seen = unwrap(await pipeline.exec()) as (number | null)[];
      due.forEach((userId, i) => {
        if (seen[i] != null) swept.push({ userId, lastSeenAt: new Date(Number(seen[i])) });
      });
      if (due.length < SWEEP_BATCH) break;
    }
    return swept;
  }

  async read(userIds: readonly string[]): Promise<Map<string, StoredPresence>> {
    const result = new Map<string, StoredPresence>();
    if (userIds.length === 0) return result;
    const ids = [...new Set(userIds)];
    let rows: [string | null, string | null][];
    if (this.redis.isCluster) {
      // Across slots: ioredis's auto-pipelining sends these in one batch per node.
      rows = (await Promise.all(
        ids.map((id) => this.redis.hmget(this.stateKey(id), 's', 'seen')),
      )) as [string | null, string | null][];
    } else {
      const pipeline = this.redis.pipeline();
      for (const id of ids) pipeline.hmget(this.stateKey(id), 's', 'seen');
      rows = unwrap(await pipeline.exec()) as [string | null, string | null][];
    }
    ids.forEach((id, i) => {
      const [s, seen] = rows[i];
      if (s === 'on') result.set(id, { online: true, lastSeenAt: null });
      else if (s === 'off')
        result.set(id, { online: false, lastSeenAt: seen ? new Date(+seen) : null });
    });
    return result;
  }

  /** Claims grouped by presence shard: a script call may touch one slot only. */
  private byShard<T extends Claim>(claims: readonly T[]): Map<string, T[]> {
    const byShard = new Map<string, T[]>();
    for (const c of claims) {
      const tag = this.channels.presenceTag(c.userId);
      const inShard = byShard.get(tag);
      if (inShard) inShard.push(c);
      else byShard.set(tag, [c]);
    }
    return byShard;
  }

  /** `presence:expiry` on one Redis, `presence:{p7}:expiry` per shard on a cluster. */
  private expiryKey(tag: string): string {
    return this.channels.key(...this.scoped(tag, 'expiry'));
  }

  private connKey(userId: string): string {
    return this.channels.key(...this.scoped(this.channels.presenceTag(userId), 'conn', userId));
  }

  private stateKey(userId: string): string {
    return this.channels.key(...this.scoped(this.channels.presenceTag(userId), 'state', userId));
  }

  private scoped(tag: string, ...parts: string[]): string[] {
    return tag ? ['presence', tag, ...parts] : ['presence', ...parts];
  }
}

/** The results of a pipeline, throwing the first error (a failed batch is retried whole). */
function unwrap(results: [Error | null, unknown][] | null): unknown[] {
  if (!results) throw new Error('Redis pipeline was discarded');
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}
