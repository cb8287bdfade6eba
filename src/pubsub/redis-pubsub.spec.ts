import { describe, expect, it, vi } from 'vitest';
import { publishAll, type RedisClient } from './redis-pubsub.js';

describe('publishAll on a cluster', () => {
  it('re-reads the slot map and sends again when the old master of a moved slot answers MOVED', async () => {
    // What ioredis hands back when a MOVED SPUBLISH shared an auto-pipeline with a command that
    // succeeded: the error itself, its slot map not updated and no refresh started.
    let moved = true;
    const cluster = {
      isCluster: true,
      spublish: vi.fn(async () => {
        if (moved) throw new Error('MOVED 12558 127.0.0.1:7001');
        return 1;
      }),
      refreshSlotsCache: vi.fn((done: () => void) => {
        moved = false;
        done();
      }),
    };
    await publishAll(cluster as unknown as RedisClient, ['user:bob'], '{}');
    expect(cluster.refreshSlotsCache).toHaveBeenCalledTimes(1);
    expect(cluster.spublish).toHaveBeenCalledTimes(2);
    expect(cluster.spublish).toHaveBeenLastCalledWith('user:bob', '{}');
  });

  it('passes other errors on without a refresh', async () => {
    const cluster = {
      isCluster: true,
      spublish: vi.fn(async () => {
        throw new Error('CLUSTERDOWN The cluster is down');
      }),
      refreshSlotsCache: vi.fn(),
    };
    await expect(publishAll(cluster as unknown as RedisClient, ['user:bob'], '{}')).rejects.toThrow(
      'CLUSTERDOWN',
    );
    expect(cluster.refreshSlotsCache).not.toHaveBeenCalled();
  });
});
