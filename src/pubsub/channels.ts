/**
 * Names of the pub/sub channels, built in one place. Every name carries REDIS_PREFIX so several
 * deployments (or test runs) can share one Redis without hearing each other.
 *
 * On a Redis Cluster, presence state lives in PRESENCE_SHARDS groups of keys, each under one hash
 * tag `{p<n>}` (one slot): a presence script touches a user's keys and the group's expiry index
 * and publishes on the user's presence channel, and Redis requires all of those in one slot.
 * Per-user tags would not do: the sweep needs an index of who is due, and one index for every
 * user would put all of presence in a single slot. With shards, the sweep reads one index per
 * shard and the load spreads over up to PRESENCE_SHARDS slots (masters).
 */
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app.config.js';

/** Fixed: every instance must agree on it (changing it moves every user's presence keys). */
export const PRESENCE_SHARDS = 32;

@Injectable()
export class Channels {
  private readonly prefix: string;
  /** On a cluster: keys and channels carry hash tags (see above). */
  readonly clustered: boolean;

  constructor(config: AppConfig) {
    this.prefix = config.redis.prefix;
    this.clustered = (config.redis.clusterNodes?.length ?? 0) > 0;
  }

  /** Everything addressed to one user's connections (new messages, membership changes). */
  user(userId: string): string {
    return `${this.prefix}user:${userId}`;
  }

  /** Status changes of one user, heard by the instances where someone watches that user. */
  presence(userId: string): string {
    return this.clustered
      ? `${this.prefix}presence:${this.presenceTag(userId)}:${userId}`
      : `${this.prefix}presence:${userId}`;
  }

  /**
   * The hash tag of a user's presence shard on a cluster (`{p7}`), '' on one Redis (whose key
   * names stay as they were).
   */
  presenceTag(userId: string): string {
    return this.clustered ? presenceShardTag(presenceShard(userId)) : '';
  }

  /** The tags of every presence shard: [''] on one Redis. */
  presenceTags(): string[] {
    return this.clustered
      ? Array.from({ length: PRESENCE_SHARDS }, (_, i) => presenceShardTag(i))
      : [''];
  }

  /** Ended sessions, heard by every instance (their access tokens and sockets stop at once). */
  sessionRevocations(): string {
    return `${this.prefix}sessions:revoked`;
  }

  /** A Redis key (not a channel) under the same prefix. */
  key(...parts: string[]): string {
    return this.prefix + parts.join(':');
  }
}

const presenceShardTag = (shard: number) => `{p${shard}}`;

/** FNV-1a of the id, modulo PRESENCE_SHARDS: stable across instances and versions. */
function presenceShard(userId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < userId.length; i++) {
    hash ^= userId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % PRESENCE_SHARDS;
}
