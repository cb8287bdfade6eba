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
    const batches = await this.inShardBatches<Claim, string[]>(claims, (p, expiry, keys, batch) =>
      p.presenceClaim(
        keys.length + 1,
        expiry,
        ...keys,
        this.timings.ttlMs,
        announceUnknown ? 1 : 0,
        ...batch.flatMap((c) => [c.userId, c.claimId, this.channels.presence(c.userId)]),
      ),
    );
    return batches.flatMap((b) => b.result);
  }

  async releaseAll(releases: readonly Release[]): Promise<boolean[]> {
    const batches = await this.inShardBatches<Release, number[]>(
      releases,
      (p, expiry, keys, batch) =>
        p.presenceRelease(
          keys.length + 1,
          expiry,
          ...keys,
          this.timings.graceMs,
          ...batch.flatMap((r) => [r.userId, r.claimId, r.closedAt.getTime()]),
        ),
    );
    // Batches come per shard: put the answers back in the order asked.
    const last = new Map<Release, boolean>();
    for (const { batch, result } of batches) batch.forEach((r, i) => last.set(r, result[i] === 1));
    return releases.map((r) => last.get(r) ?? false);
  }

  /**
   * One script call per CLAIM_BATCH items of a presence shard, one pipeline per shard (a script
   * may touch one slot only): `call` adds a batch's call, given its shard's expiry key and the
   * batch's conn and state keys. Each batch with the script's result.
   */
  private async inShardBatches<T extends Claim, R>(
    items: readonly T[],
    call: (
      pipeline: ChainableCommander & PipelineScripts,
      expiryKey: string,
      keys: string[],
      batch: T[],
    ) => void,
  ): Promise<{ batch: T[]; result: R }[]> {
    const byShard = new Map<string, T[]>();
    for (const item of items) {
      const tag = this.channels.presenceTag(item.userId);
      const inShard = byShard.get(tag);
      if (inShard) inShard.push(item);
      else byShard.set(tag, [item]);
    }
    const perShard = await Promise.all(
      [...byShard].map(async ([tag, inShard]) => {
        const pipeline = this.redis.pipeline() as ChainableCommander & PipelineScripts;
        const batches: T[][] = [];
        for (let i = 0; i < inShard.length; i += CLAIM_BATCH) {
          const batch = inShard.slice(i, i + CLAIM_BATCH);
          const keys = batch.flatMap((c) => [this.connKey(c.userId), this.stateKey(c.userId)]);
          call(pipeline, this.expiryKey(tag), keys, batch);
          batches.push(batch);
        }
        const results = unwrap(await pipeline.exec()) as R[];
        return batches.map((batch, i) => ({ batch, result: results[i] }));
      }),
    );
    return perShard.flat();
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
