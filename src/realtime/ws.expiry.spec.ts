import type { WebSocket } from 'ws';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ExpiryTimers } from './ws.expiry.js';

const socket = (name: string) => ({ name }) as unknown as WebSocket;

describe('ExpiryTimers', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000);
  });
  afterEach(() => vi.useRealTimers());

  it('expires the sockets of one second together, on the second, with one timer', () => {
    const expired: WebSocket[] = [];
    const timers = new ExpiryTimers((s) => expired.push(s));
    const [a, b, c] = [socket('a'), socket('b'), socket('c')];
    timers.add(a, 1005);
    timers.add(b, 1005);
    timers.add(c, 1007);
    expect(vi.getTimerCount()).toBe(2);
    vi.advanceTimersByTime(4999);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual([a, b]);
    vi.advanceTimersByTime(2000);
    expect(expired).toEqual([a, b, c]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('forgets a closed socket, and drops the timer with the last one', () => {
    const expired: WebSocket[] = [];
    const timers = new ExpiryTimers((s) => expired.push(s));
    const [a, b] = [socket('a'), socket('b')];
    timers.add(a, 1005);
    timers.add(b, 1005);
    timers.delete(a, 1005);
    expect(vi.getTimerCount()).toBe(1);
    timers.delete(b, 1005);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(10_000);
    expect(expired).toEqual([]);
  });

  it('expires at once a token already past, and re-arms beyond the longest timeout', () => {
    const expired: WebSocket[] = [];
    const timers = new ExpiryTimers((s) => expired.push(s));
    const [past, far] = [socket('past'), socket('far')];
    timers.add(past, 1000);
    expect(expired).toEqual([past]);
    const farAt = 1000 + 30 * 24 * 3600; // 30 days: beyond setTimeout's 24.8 days
    timers.add(far, farAt);
    vi.advanceTimersByTime(2 ** 31 - 1);
    expect(expired).toEqual([past]);
    vi.advanceTimersByTime(farAt * 1000 - Date.now());
    expect(expired).toEqual([past, far]);
  });
});
