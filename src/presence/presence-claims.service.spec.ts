/**
 * The timers of presence's write path on a fake clock, with a hand-written store: renewal every
 * third of the TTL, the sweep every second, a sweep right after the grace period, renewal before
 * the next sweep after a failure, and nothing more once shut down.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '../config/app.config.js';
import { AppMetrics } from '../metrics/app.metrics.js';
import { WsConnections } from '../realtime/ws-connections.js';
import type { UsersRepository } from '../users/users.repository.js';
import { PresenceClaimsService } from './presence-claims.service.js';
import type { Claim, OfflineTransition, PresenceStore } from './presence.store.js';

const TTL_MS = 4500; // a renewal every 1.5 s, apart from the sweep's 1 s
const GRACE_MS = 300;

/** Records every call in order; `failing` makes the next calls of a kind reject. */
class FakeStore {
  readonly log: string[] = [];
  readonly failing = { renew: 0, announce: 0 };
  released = true;
  transitions: OfflineTransition[] = [];

  claim(claims: readonly Claim[], announceUnknown: boolean): Promise<string[]> {
    if (claims.length === 0) return Promise.resolve([]);
    const kind = announceUnknown ? 'announce' : 'renew';
    this.log.push(`${kind} ${claims.map((c) => c.claimId).join(',')}`);
    if (this.failing[kind] > 0) {
      this.failing[kind]--;
      return Promise.reject(new Error('store down'));
    }
    return Promise.resolve([]);
  }

  releaseAll(releases: readonly Claim[]): Promise<boolean[]> {
    this.log.push(`release ${releases.map((r) => r.claimId).join(',')}`);
    return Promise.resolve(releases.map(() => this.released));
  }

  sweep(): Promise<OfflineTransition[]> {
    this.log.push('sweep');
    const changes = this.transitions;
    this.transitions = [];
    return Promise.resolve(changes);
  }

  read(): Promise<Map<string, never>> {
    return Promise.resolve(new Map<string, never>());
  }
}

describe('PresenceClaimsService timers', () => {
  let store: FakeStore;
  let connections: WsConnections;
  let lastSeen: [string, Date][];
  let service: PresenceClaimsService;

  beforeEach(() => {
    // setImmediate stays real: openings in one turn of the event loop are claimed together.
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    });
    store = new FakeStore();
    const config = {
      presence: { ttlSeconds: TTL_MS / 1000, graceMs: GRACE_MS },
      metrics: { enabled: false },
    } as AppConfig;
    const metrics = new AppMetrics(config);
    connections = new WsConnections(metrics);
    lastSeen = [];
    const users = {
      updateLastSeen: (seen: { userId: string; lastSeenAt: Date }[]) =>
        Promise.resolve(
          void lastSeen.push(...seen.map((s): [string, Date] => [s.userId, s.lastSeenAt])),
        ),
    };
    service = new PresenceClaimsService(
      config,
      store as unknown as PresenceStore,
      connections,
      users as unknown as UsersRepository,
      metrics,
    );
    service.onApplicationBootstrap();
  });
  afterEach(async () => {
    await service.beforeApplicationShutdown();
    vi.useRealTimers();
  });

  const open = (id: string, userId = 'dave') => connections.opened({ id, userId });
  const calls = (what: string) => store.log.filter((l) => l.startsWith(what)).length;
  /** What the store was asked from now on while `ms` pass. */
  const during = async (ms: number) => {
    const from = store.log.length;
    await vi.advanceTimersByTimeAsync(ms);
    return store.log.slice(from);
  };

  it('claims a connection at once and renews it every third of the TTL', async () => {
    await open('c1');
    expect(store.log).toEqual(['announce c1']);
    expect((await during(TTL_MS / 3 - 1)).filter((l) => l.startsWith('renew'))).toEqual([]);
    expect((await during(1)).filter((l) => l.startsWith('renew'))).toEqual(['renew c1']);
    await open('c2');
    expect((await during(TTL_MS / 3)).filter((l) => l.startsWith('renew'))).toEqual([
      'renew c1,c2',
    ]);
  });

  it('claims the connections opened in one turn together; one closed before that is never claimed', async () => {
    const opened = [open('c1'), open('c2', 'erin'), open('c3', 'fay')];
    await connections.closed('c2');
    await Promise.all(opened);
    expect(store.log).toEqual(['announce c1,c3']);
    expect((await during(TTL_MS / 3)).filter((l) => l.startsWith('renew'))).toEqual([
      'renew c1,c3',
    ]);
  });

  it('sweeps every second, and stores the last-seen time of whoever went OFFLINE', async () => {
    expect(await during(999)).toEqual([]);
    expect(await during(1)).toEqual(['sweep']);
    const at = new Date(1234);
    store.transitions = [{ userId: 'dave', lastSeenAt: at }];
    await during(2000);
    expect(calls('sweep')).toBe(3);
    expect(lastSeen).toEqual([['dave', at]]);
  });

  it('sweeps right after the grace period when the last connection closes, and not for others', async () => {
    await open('c1');
    await vi.advanceTimersByTimeAsync(100);
    await connections.closed('c1');
    expect(store.log.at(-1)).toBe('release c1');
    // Due at 100 + grace + 10 = 410 ms: long before the next one-second sweep.
    expect(await during(GRACE_MS + 9)).toEqual([]);
    expect(await during(1)).toEqual(['sweep']);

    store.released = false; // a connection that was not the user's last
    await open('c2');
    await connections.closed('c2');
    expect(await during(GRACE_MS + 10)).toEqual([]);
  });

  it('releases the connections closed in one turn with one store call', async () => {
    await Promise.all([open('c1'), open('c2', 'erin'), open('c3')]);
    await Promise.all([connections.closed('c1'), connections.closed('c2')]);
    await connections.closed('c3');
    expect(store.log).toEqual(['announce c1,c2,c3', 'release c1,c2', 'release c3']);
  });

  it('after a failed renewal, renews again before its next sweep', async () => {
    await open('c1');
    expect(await during(1000)).toEqual(['sweep']);
    store.failing.renew = 1;
    expect(await during(500)).toEqual(['renew c1']); // 1.5 s: fails
    // 2 s: the sweep renews first, or this instance's own lapsed claims would be swept.
    expect(await during(500)).toEqual(['renew c1', 'sweep']);
    await during(1000);
    // 4 s: recovered, the sweep runs alone again.
    expect(await during(1000)).toEqual(['sweep']);
  });

  it('claims and announces, before the next sweep, a connection opened while the store was down', async () => {
    store.failing.announce = 1;
    await open('c1');
    await open('c2');
    expect(store.log).toEqual(['announce c1', 'announce c2']);
    expect(await during(1000)).toEqual(['announce c1', 'renew c2', 'sweep']);
  });

  it('releases its claims at shutdown and runs no timer after', async () => {
    await open('c1');
    await service.beforeApplicationShutdown();
    expect(store.log.at(-1)).toBe('release c1');
    expect(await during(10 * TTL_MS)).toEqual([]);
  });
});
