import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../config/app.config.js';
import { Channels } from '../pubsub/channels.js';
import { TooManyRequestsError } from '../common/errors/domain-error.js';
import { RateLimiter } from './rate-limiter.js';

/** The default limits, in memory, against a fake clock. */
function limiter(env: Record<string, string> = {}): RateLimiter {
  const config = loadConfig(env);
  return new RateLimiter(config, new Channels(config), null);
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
