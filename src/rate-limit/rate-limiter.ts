/**
 * Named rate limits (RATE_LIMIT_* settings) checked where the work happens: sends, logins,
 * uploads, subscription starts. Counters live in Redis when REDIS_URL (or REDIS_CLUSTER_NODES) is set (one limit across
 * all instances), else in @nestjs/throttler's in-memory storage. If Redis cannot be reached the
 * limiter lets the request through: an outage of the counter must not stop the chat.
 */
import { Injectable, Logger } from '@nestjs/common';
import { ThrottlerStorageService, type ThrottlerStorage } from '@nestjs/throttler';
import { TooManyRequestsError } from '../common/errors/domain-error.js';
import { AppConfig, type RateLimit } from '../config/app.config.js';
import { Channels } from '../pubsub/channels.js';
import { InjectRedis, type RedisClient } from '../pubsub/pubsub.tokens.js';
import { RedisThrottlerStorage } from './redis-throttler.storage.js';

export type RateLimitName =
  | 'sends'
  | 'loginsPerUsernameAndIp'
  | 'loginsPerUsername'
  | 'loginsPerIp'
  | 'refreshesPerIp'
  | 'registrationsPerIp'
  | 'uploads'
  | 'groups'
  | 'subscriptions';

@Injectable()
export class RateLimiter {
  private readonly logger = new Logger('RateLimiter');
  private readonly storage: ThrottlerStorage;

  constructor(
    private readonly config: AppConfig,
    channels: Channels,
    @InjectRedis() redis: RedisClient | null,
  ) {
    this.storage = redis
      ? new RedisThrottlerStorage(redis, channels.key('rate', ''))
      : new ThrottlerStorageService();
  }

  /**
   * A login's limits, in order: the address (guessing across accounts), the username from that
   * address (guessing one password; only that address is locked out), then the username from
   * everywhere, set far higher (credential stuffing across addresses).
   */
  async consumeLogin(username: string, clientIp: string): Promise<void> {
    await this.consume('loginsPerIp', clientIp);
    await this.consume('loginsPerUsernameAndIp', `${username}@${clientIp}`);
    await this.consume('loginsPerUsername', username);
  }

  /** Counts one hit of `key` against the limit; over it, TOO_MANY_REQUESTS with when to retry. */
  async consume(name: RateLimitName, key: string): Promise<void> {
    const limit: RateLimit | undefined = this.config.rateLimits?.[name];
    if (!limit) return;
    let record;
    try {
      // The name is part of the key: throttler's in-memory store keeps one block per key, so
      // without it a user's uploads would block their sends (and a username equal to an
      // address would block that address's logins).
      record = await this.storage.increment(
        `${name}:${key}`,
        limit.windowMs,
        limit.limit,
        limit.windowMs,
        name,
      );
    } catch (error) {
      this.logger.warn(`rate limit ${name} not checked: ${String(error)}`);
      return;
    }
    if (record.isBlocked) {
      throw new TooManyRequestsError(Math.max(1, record.timeToBlockExpire));
    }
  }
}
