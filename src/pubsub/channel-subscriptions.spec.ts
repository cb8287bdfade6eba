import { describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { ChannelSubscriptions } from './channel-subscriptions.js';

/** A subscriber connection that records its commands and refuses the first `refusals` SUBSCRIBEs. */
function fakeSubscriber(refusals = 0) {
  const log: string[] = [];
  const redis = {
    isCluster: false,
    subscribe: async (...channels: string[]) => {
      log.push(`subscribe ${channels.join(' ')}`);
      if (refusals-- > 0) throw new Error('ERR too many redirections');
      return channels.length;
    },
    unsubscribe: async (...channels: string[]) => {
      log.push(`unsubscribe ${channels.join(' ')}`);
      return 0;
    },
  };
  return { log, redis: redis as unknown as Redis };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('ChannelSubscriptions', () => {
  it('sends the channels wanted in one turn as one command, and those given up as another', async () => {
    const { log, redis } = fakeSubscriber();
    const wanted = new Set(['a', 'b', 'c']);
    const subs = new ChannelSubscriptions(redis, (c) => wanted.has(c));
    await Promise.all([...wanted].map((c) => subs.want(c)));
    wanted.delete('a');
    wanted.delete('b');
    subs.release('a');
    subs.release('b');
    await turn();
    expect(log).toEqual(['subscribe a b c', 'unsubscribe a b']);
    subs.close();
  });

  it('waits through a refused SUBSCRIBE and retries only what is still wanted', async () => {
    const { log, redis } = fakeSubscriber(1);
    const wanted = new Set(['a', 'b']);
    const subs = new ChannelSubscriptions(redis, (c) => wanted.has(c));
    let heard = false;
    const a = subs.want('a').then(() => (heard = true));
    void subs.want('b');
    await turn();
    await turn();
    expect(log).toEqual(['subscribe a b']);
    expect(heard).toBe(false);
    wanted.delete('b');
    subs.release('b');
    await a;
    expect(log).toEqual(['subscribe a b', 'subscribe a']);
    // Already heard: a later want resolves without a command.
    await subs.want('a');
    await turn();
    expect(log).toHaveLength(2);
    subs.close();
  });

  it('lets nobody wait once closed', async () => {
    const { log, redis } = fakeSubscriber(1_000);
    const subs = new ChannelSubscriptions(redis, () => true);
    const waiting = subs.want('a');
    await turn();
    subs.close();
    await waiting;
    await subs.want('b');
    expect(log).toEqual(['subscribe a']);
  });
});
