/**
 * @nestjs/throttler's storage contract over Redis, so a limit holds across every instance.
 * (The community Redis storage declares Nest ≤ 11 as its peer; this is the same fixed-window
 * counter in one Lua script: INCR, expire on first hit, and a block key once over the limit.)
 */
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { RedisClient } from '../pubsub/pubsub.tokens.js';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

const INCREMENT = `
local key, blockKey = KEYS[1], KEYS[2]
local ttl, limit, block = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local blocked = redis.call('PTTL', blockKey)
if blocked > 0 then
  return { limit + 1, math.max(redis.call('PTTL', key), 0), 1, blocked }
end
local hits = redis.call('INCR', key)
if hits == 1 then redis.call('PEXPIRE', key, ttl) end
local left = redis.call('PTTL', key)
if hits > limit then
  redis.call('SET', blockKey, '1', 'PX', block)
  return { hits, left, 1, block }
end
return { hits, left, 0, 0 }`;

type ThrottleCommand = (
  key: string,
  blockKey: string,
  ttl: number,
  limit: number,
  block: number,
) => Promise<[number, number, number, number]>;

export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly throttle: ThrottleCommand;

  constructor(
    redis: RedisClient,
    private readonly prefix: string,
  ) {
    // defineCommand sends the script once, then calls it by its hash (EVALSHA).
    if (!('chatThrottle' in redis))
      redis.defineCommand('chatThrottle', { numberOfKeys: 2, lua: INCREMENT });
    const command = (redis as unknown as { chatThrottle: ThrottleCommand }).chatThrottle;
    this.throttle = command.bind(redis);
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    _throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    // The hash tag keeps a counter and its block key in one slot: on a Redis Cluster a script
    // may only touch keys of one slot (on one Redis the braces are just characters).
    const base = `${this.prefix}{${key}}`;
    const [hits, left, blocked, blockLeft] = await this.throttle(
      base,
      `${base}:blocked`,
      ttl,
      limit,
      blockDuration,
    );
    return {
      totalHits: hits,
      timeToExpire: Math.ceil(left / 1000),
      isBlocked: blocked === 1,
      timeToBlockExpire: Math.ceil(blockLeft / 1000),
    };
  }
}
