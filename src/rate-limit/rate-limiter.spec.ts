import { Logger } from '@nestjs/common';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, loadConfig } from '../config/app.config.js';
import { AppMetrics } from '../metrics/app.metrics.js';
import { Channels } from '../pubsub/channels.js';
import { TooManyRequestsError } from '../common/errors/domain-error.js';
import type { RedisClient } from '../pubsub/pubsub.tokens.js';
import { RateLimiter } from './rate-limiter.js';

/** The default limits, in memory, against a fake clock. */
function limiter(env: Record<string, string> = {}): RateLimiter {
  const config = loadConfig(env);
  return new RateLimiter(config, new Channels(config), null, new AppMetrics(config));
}

const outcome = (p: Promise<void>) =>
  p.then(
    () => 'ok',
    (e: unknown) => (e instanceof TooManyRequestsError ? 'limited' : 'error'),
  );

describe('RateLimiter with the default limits', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('refuses part of a burst of 100 sends', async () => {
    const rl = limiter();
    const results = [];
    for (let i = 0; i < 100; i++) results.push(await outcome(rl.consume('sends', 'user-1')));
    expect(results.filter((r) => r === 'ok')).toHaveLength(30);
    expect(results.filter((r) => r === 'limited')).toHaveLength(70);
  });

  it('never refuses one send a second, for ten minutes', async () => {
    const rl = limiter();
    for (let i = 0; i < 600; i++) {
      expect(await outcome(rl.consume('sends', 'user-2'))).toBe('ok');
      vi.advanceTimersByTime(1000);
    }
  });

  it('says when to retry, and counts users separately', async () => {
    const rl = limiter({ RATE_LIMIT_SENDS: '1/10s' });
    await rl.consume('sends', 'a');
    const error = await rl.consume('sends', 'a').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TooManyRequestsError);
    expect((error as TooManyRequestsError).details.retryAfterSeconds).toBe(10);
    await expect(rl.consume('sends', 'b')).resolves.toBeUndefined();
  });

  it('does nothing with RATE_LIMITS=off', async () => {
    const rl = limiter({ RATE_LIMITS: 'off', RATE_LIMIT_SENDS: '1/1h' });
    for (let i = 0; i < 10; i++) await rl.consume('sends', 'c');
  });
});

describe('RateLimiter, separate limits', () => {
  it("does not let one limit's block spill into another with the same key", async () => {
    const rl = limiter({ RATE_LIMIT_UPLOADS: '1/1m', RATE_LIMIT_LOGINS_PER_USERNAME: '1/1m' });
    await rl.consume('uploads', 'user-9');
    await expect(rl.consume('uploads', 'user-9')).rejects.toBeInstanceOf(TooManyRequestsError);
    await expect(rl.consume('sends', 'user-9')).resolves.toBeUndefined();

    // A username that looks like an address must not lock that address out.
    await rl.consume('loginsPerUsername', '203.0.113.7');
    await expect(rl.consume('loginsPerUsername', '203.0.113.7')).rejects.toBeInstanceOf(
      TooManyRequestsError,
    );
    await expect(rl.consume('loginsPerIp', '203.0.113.7')).resolves.toBeUndefined();
  });
});

/** A Redis whose throttle script answers only when the test says so. */
function stalledRedis() {
  const calls: { resolve(v: number[]): void; reject(e: Error): void }[] = [];
  const redis = {
    chatThrottle: () => new Promise<number[]>((resolve, reject) => calls.push({ resolve, reject })),
  };
  return { redis: redis as unknown as RedisClient, calls };
}

function redisLimiter(redis: RedisClient, env: Record<string, string> = {}) {
  const config = loadConfig({ RATE_LIMIT_REDIS_TIMEOUT_MS: '20', ...env });
  const metrics = new AppMetrics(config);
  return { rl: new RateLimiter(config, new Channels(config), redis, metrics), metrics };
}

const uncheckedCounts = async (metrics: AppMetrics) =>
  (await metrics.rateLimitUnchecked.get()).values.map((v) => ({ ...v.labels, n: v.value }));

describe('RateLimiter on a Redis that does not answer', () => {
  afterEach(() => vi.restoreAllMocks());

  it('lets checks through after RATE_LIMIT_REDIS_TIMEOUT_MS, counts each, and warns once', async () => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const { redis, calls } = stalledRedis();
    const { rl, metrics } = redisLimiter(redis);
    for (let i = 0; i < 5; i++) await rl.consume('sends', 'user-1');
    await rl.consumeLogin('alice', '203.0.113.7');
    expect(calls).toHaveLength(8);
    expect(await uncheckedCounts(metrics)).toEqual(
      expect.arrayContaining([
        { limit: 'sends', reason: 'timeout', n: 5 },
        { limit: 'loginsPerIp', reason: 'timeout', n: 1 },
        { limit: 'loginsPerUsernameAndIp', reason: 'timeout', n: 1 },
        { limit: 'loginsPerUsername', reason: 'timeout', n: 1 },
      ]),
    );
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/not checked .*within 20 ms/);
    expect(String(warn.mock.calls[0][0])).not.toMatch(/user-1|alice|203\.0\.113\.7/);
    // Late answers, good and bad, after the checks have given up: nothing throws (vitest fails
    // the run on an unhandled rejection).
    calls[0].resolve([1, 1000, 0, 0]);
    for (const call of calls.slice(1)) call.reject(new Error('Connection is closed.'));
    await new Promise((resolve) => setImmediate(resolve));
  });

  it('counts a failing Redis as unchecked too, and checks again once Redis answers', async () => {
    vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const { redis, calls } = stalledRedis();
    const { rl, metrics } = redisLimiter(redis, { RATE_LIMIT_SENDS: '1/10s' });
    const failed = rl.consume('sends', 'u');
    calls[0].reject(new Error('connect ECONNREFUSED'));
    await expect(failed).resolves.toBeUndefined();
    expect(await uncheckedCounts(metrics)).toEqual([{ limit: 'sends', reason: 'error', n: 1 }]);

    const blocked = rl.consume('sends', 'u');
    calls[1].resolve([2, 9000, 1, 10_000]);
    await expect(blocked).rejects.toBeInstanceOf(TooManyRequestsError);
  });
});

describe('RateLimiter once Redis has stalled', () => {
  afterEach(() => vi.restoreAllMocks());

  it('lets one check at a time wait on Redis, passes the others at once, and checks all again once it answers', async () => {
    vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const { redis, calls } = stalledRedis();
    const { rl, metrics } = redisLimiter(redis, { RATE_LIMIT_SENDS: '1/10s' });
    await rl.consume('sends', 'a'); // times out: Redis is stalled
    const probe = rl.consume('sends', 'b');
    // While the probe waits, others are not sent to Redis and do not wait.
    await rl.consume('sends', 'c');
    await rl.consume('uploads', 'c');
    expect(calls).toHaveLength(2);
    expect(await uncheckedCounts(metrics)).toEqual(
      expect.arrayContaining([
        { limit: 'sends', reason: 'timeout', n: 1 },
        { limit: 'sends', reason: 'stalled', n: 1 },
        { limit: 'uploads', reason: 'stalled', n: 1 },
      ]),
    );
    // The probe is answered in time: every check goes to Redis again, and its verdict holds.
    calls[1].resolve([2, 9000, 1, 10_000]);
    await expect(probe).rejects.toBeInstanceOf(TooManyRequestsError);
    const first = rl.consume('sends', 'd');
    const second = rl.consume('sends', 'd');
    expect(calls).toHaveLength(4);
    calls[2].resolve([1, 10_000, 0, 0]);
    calls[3].resolve([2, 9000, 1, 10_000]);
    await expect(first).resolves.toBeUndefined();
    await expect(second).rejects.toBeInstanceOf(TooManyRequestsError);
    calls[0].resolve([1, 1000, 0, 0]);
  });
});

describe('RATE_LIMIT_REDIS_TIMEOUT_MS', () => {
  it('is 250 ms unless set, and a positive whole number of milliseconds', () => {
    expect(loadConfig({}).rateLimitRedisTimeoutMs).toBe(250);
    expect(loadConfig({ RATE_LIMIT_REDIS_TIMEOUT_MS: '100' }).rateLimitRedisTimeoutMs).toBe(100);
    for (const bad of ['0', '-5', '1.5', '250ms']) {
      expect(() => loadConfig({ RATE_LIMIT_REDIS_TIMEOUT_MS: bad })).toThrow(ConfigError);
    }
  });
});
