/** Watching a session's end: one watcher or several per session, each called once, unwatching. */
import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../../config/app.config.js';
import type { Channels } from '../../pubsub/channels.js';
import type { EventBus } from '../../pubsub/event-bus.js';
import { SessionRevocations } from './session-revocations.js';
import type { SessionsRepository } from './sessions.repository.js';

function revocations() {
  return new SessionRevocations(
    { jwt: { expiresInSeconds: 900 } } as AppConfig,
    { findRevokedSince: () => Promise.resolve([]) } as unknown as SessionsRepository,
    { publish: () => Promise.resolve() } as unknown as EventBus,
    { sessionRevocations: () => 'revocations' } as unknown as Channels,
  );
}

describe('SessionRevocations.watch', () => {
  it('calls each watcher of an ended session once, and none of another session', async () => {
    const r = revocations();
    const calls: string[] = [];
    r.watch('s1', () => calls.push('a'));
    r.watch('s1', () => calls.push('b'));
    r.watch('s2', () => calls.push('c'));
    await r.announce(['s1']);
    await r.announce(['s1']);
    expect(calls).toEqual(['a', 'b']);
    expect(r.isRevoked('s1')).toBe(true);
    await r.announce(['s2']);
    expect(calls).toEqual(['a', 'b', 'c']);
  });

  it('calls no watcher that stopped, whether it watched alone or beside others', async () => {
    const r = revocations();
    const calls: string[] = [];
    r.watch('alone', () => calls.push('alone'))();
    const stopA = r.watch('shared', () => calls.push('a'));
    const stopB = r.watch('shared', () => calls.push('b'));
    r.watch('shared', () => calls.push('c'));
    stopA();
    stopB();
    stopB(); // twice: still nothing else stops
    await r.announce(['alone', 'shared']);
    expect(calls).toEqual(['c']);
  });

  it('a stop from before a session ended leaves a later watch of it alone', async () => {
    const r = revocations();
    const calls: string[] = [];
    const stopOld = r.watch('s', () => calls.push('old'));
    await r.announce(['s']);
    r.watch('s', () => calls.push('new'));
    stopOld();
    await r.announce(['s']);
    expect(calls).toEqual(['old', 'new']);
  });
});
