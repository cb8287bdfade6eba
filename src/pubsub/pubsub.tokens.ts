/** Injection tokens of the pub/sub module (kept apart so providers can import them freely). */
import { Inject } from '@nestjs/common';

export const PUB_SUB = Symbol('PUB_SUB');
export const REDIS = Symbol('REDIS');

/** `@InjectPubSub() pubSub: PubSubEngine` */
export const InjectPubSub = () => Inject(PUB_SUB);
/**
 * `@InjectRedis() redis: RedisClient | null` — ioredis's Redis (REDIS_URL) or Cluster
 * (REDIS_CLUSTER_NODES), null with neither. On a cluster, keys one script or MULTI touches must
 * share a hash tag (`{...}`), and a pipeline must stay within one slot.
 */
export const InjectRedis = () => Inject(REDIS);

export type { RedisClient } from './redis-pubsub.js';
