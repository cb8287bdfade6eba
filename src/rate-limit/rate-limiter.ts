/**
 * Named rate limits (RATE_LIMIT_* settings) checked where the work happens: sends, logins,
 * uploads, subscription starts. Counters live in Redis when REDIS_URL (or REDIS_CLUSTER_NODES) is
 * set (one limit across all instances), else in @nestjs/throttler's in-memory storage. If Redis
 * fails, or does not answer within RATE_LIMIT_REDIS_TIMEOUT_MS (a partition, a paused server: the
 * connection stays open and ioredis would wait for ever), the limiter lets the request through:
 * an outage of the counter must not stop the chat. Once a check has timed out, Redis is taken
 * as stalled: one check at a time waits on it (the probe) and the others pass at once, so a
 * stall costs one request the timeout instead of every request; the first answer ends it. Each
 * check let through is counted (chat_rate_limit_unchecked_total) and warned about at most once a
 * minute, never per request.
 */
import { Injectable, Logger } from '@nestjs/common';
import { ThrottlerStorageService, type ThrottlerStorage } from '@nestjs/throttler';
import { TooManyRequestsError } from '../common/errors/domain-error.js';
import { redactUrl } from '../common/redact-url.js';
import { AppConfig, type RateLimit } from '../config/app.config.js';
import { AppMetrics } from '../metrics/app.metrics.js';
import { Channels } from '../pubsub/channels.js';
import { InjectRedis, type RedisClient } from '../pubsub/pubsub.tokens.js';
import { RedisThrottlerStorage } from './redis-throttler.storage.js';
import { withTimeout } from '../common/timers/with-timeout.js';

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

/** At most one warning per this long about checks let through; the rest are counted in it. */
export const UNCHECKED_WARNING_INTERVAL_MS = 60_000;

type ThrottlerRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

class RedisTimeout extends Error {}
/** A check not sent while another waits on a Redis that stopped answering. */
const STALLED = Symbol('stalled');

@Injectable()
export class RateLimiter {
  private readonly logger = new Logger('RateLimiter');
  private readonly storage: ThrottlerStorage;
  /** null: in-memory counters, which answer at once. */
  private readonly timeoutMs: number | null;
  private lastWarningAt = -Infinity;
  /** Checks let through since the last warning. */
  private uncheckedSinceWarning = 0;
  /** The last check to end timed out, and no check has been answered since. */
  private stalled = false;
  /** A check is waiting on the stalled Redis: others do not queue behind it. */
  private probing = false;

  constructor(
    private readonly config: AppConfig,
    channels: Channels,
    @InjectRedis() redis: RedisClient | null,
    private readonly metrics: AppMetrics,
  ) {
    this.storage = redis
      ? new RedisThrottlerStorage(redis, channels.key('rate', ''))
      : new ThrottlerStorageService();
    this.timeoutMs = redis ? config.rateLimitRedisTimeoutMs : null;
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
    if (this.stalled && this.probing) {
      this.unchecked(name, STALLED);
      return;
    }
    const probe = this.stalled;
    if (probe) this.probing = true;
    let record;
    try {
      // The name is part of the key: throttler's in-memory store keeps one block per key, so
      // without it a user's uploads would block their sends (and a username equal to an
      // address would block that address's logins).
      record = await this.bounded(
        this.storage.increment(`${name}:${key}`, limit.windowMs, limit.limit, limit.windowMs, name),
      );
      this.stalled = false;
    } catch (error) {
      // A failure that answers (a refused connection) is quick: only silence makes others wait.
      this.stalled = error instanceof RedisTimeout;
      this.unchecked(name, error);
      return;
    } finally {
      if (probe) this.probing = false;
    }
    if (record.isBlocked) {
      throw new TooManyRequestsError(Math.max(1, record.timeToBlockExpire));
    }
  }

  /** The check, or a RedisTimeout once Redis has had timeoutMs to answer. */
  private async bounded(check: Promise<ThrottlerRecord>): Promise<ThrottlerRecord> {
    if (this.timeoutMs === null) return check;
    return withTimeout(check, this.timeoutMs, () => new RedisTimeout());
  }

  /**
   * A check that could not be made: counted, and warned about at most once an interval. The
   * line names the limit and the failure, never the key (a username, an address).
   */
  private unchecked(name: RateLimitName, error: unknown): void {
    const timedOut = error instanceof RedisTimeout || error === STALLED;
    const reason = error === STALLED ? 'stalled' : timedOut ? 'timeout' : 'error';
    this.metrics.rateLimitUnchecked.inc({ limit: name, reason });
    this.uncheckedSinceWarning++;
    const now = Date.now();
    if (now - this.lastWarningAt < UNCHECKED_WARNING_INTERVAL_MS) return;
    const why = timedOut
      ? `Redis did not answer within ${this.timeoutMs} ms`
      : redactUrl(error instanceof Error ? error.message : String(error));
    this.logger.warn(
      `rate limit ${name} not checked (${why}); ${this.uncheckedSinceWarning} check(s) let through unchecked since the last warning`,
    );
    this.lastWarningAt = now;
    this.uncheckedSinceWarning = 0;
  }
}
