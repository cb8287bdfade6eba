/** Injection tokens of the pub/sub module (kept apart so providers can import them freely). */
import { Inject } from '@nestjs/common';

export const PUB_SUB = Symbol('PUB_SUB');
export const REDIS = Symbol('REDIS');

/** `@InjectPubSub() pubSub: PubSubEngine` */
export const InjectPubSub = () => Inject(PUB_SUB);
/** `@InjectRedis() redis: Redis | null` — null when REDIS_URL is not set. */
export const InjectRedis = () => Inject(REDIS);
