/**
 * The Redis connections of an instance, made in one place: none (in-process pub/sub, one
 * instance), one Redis server (REDIS_URL), or a Redis Cluster (REDIS_CLUSTER_NODES). Each mode
 * gives a command connection (publishing, presence, rate limits: REDIS) and a subscriber
 * connection behind the pub/sub engine (PUB_SUB).
 */
import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { PubSub, type PubSubEngine } from 'graphql-subscriptions';
import { Cluster, Redis, type ClusterOptions } from 'ioredis';
import { redactUrl } from '../common/redact-url.js';
import type { AppConfig } from '../config/app.config.js';
import type { AppMetrics } from '../metrics/app.metrics.js';
import { RedisPubSub, type RedisClient } from './redis-pubsub.js';
import { sharedDeserializer } from './shared-payloads.js';

/** A cluster that cannot be reached at startup does not hold the instance up longer than this. */
const CLUSTER_READY_WAIT_MS = 10_000;

/**
 * How often each cluster connection re-reads the slot map (one CLUSTER SLOTS) by itself. After a
 * slot moves, ioredis re-reads it once when told (MOVED, or the server-sent SUNSUBSCRIBE on the
 * subscriber); if the node it asks has not heard of the move yet, it sees no change and never
 * looks again, so a channel could stay SSUBSCRIBEd on nobody. ioredis 6.0.0 documents a 5 s
 * default for slotsRefreshInterval but sets none. A refresh that sees a new owner resubscribes
 * its channels there.
 */
export const SLOTS_REFRESH_MS = 2_000;

export class RedisConnections implements OnApplicationShutdown {
  readonly pubSub: PubSubEngine;
  readonly command: RedisClient | null;
  private readonly subscriber: RedisClient | null;

  constructor(config: AppConfig, metrics: AppMetrics) {
    const logger = new Logger('PubSub');
    const onError = (err: Error) => logger.warn(`redis: ${err.message}`);
    const { url, clusterNodes } = config.redis;
    if (clusterNodes) {
      // Publishing must never wait for a Redis that is down: PostgreSQL holds every message and
      // clients resume from it, so a lost publish costs latency, not data.
      const common: ClusterOptions = {
        // A failover or a slot move answers MOVED/TRYAGAIN for a moment: look up the new owner.
        retryDelayOnMoved: 50,
        retryDelayOnClusterDown: 200,
        retryDelayOnTryAgain: 100,
        slotsRefreshInterval: SLOTS_REFRESH_MS,
      };
      this.command = new Cluster(clusterNodes, {
        ...common,
        enableOfflineQueue: false,
        // Commands to different slots cannot share a pipeline; auto-pipelining batches them by
        // node instead (a send's SPUBLISHes, presence reads).
        enableAutoPipelining: true,
        redisOptions: { maxRetriesPerRequest: 1 },
      }).on('error', onError);
      this.subscriber = new Cluster(clusterNodes, {
        ...common,
        // One subscriber connection per master, each SSUBSCRIBEd to its own slots' channels.
        shardedSubscribers: true,
        redisOptions: { maxRetriesPerRequest: null },
      }).on('error', onError);
      logger.log(
        `using a Redis Cluster (sharded pub/sub) seeded by ${clusterNodes.map((n) => `${n.host}:${n.port}`).join(',')}`,
      );
    } else if (url) {
      this.command = new Redis(url, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        lazyConnect: false,
      }).on('error', onError);
      this.subscriber = new Redis(url, { maxRetriesPerRequest: null }).on('error', onError);
      logger.log(`using Redis pub/sub at ${redactUrl(url)}`);
    } else {
      logger.log('using in-process pub/sub and presence (REDIS_URL is not set): one instance only');
      this.pubSub = new PubSub();
      this.command = null;
      this.subscriber = null;
      return;
    }
    // Each distinct payload parsed once, however many local users' channels carry it; each
    // event's own codec turns it into its types (no guessing dates from field names).
    this.pubSub = new RedisPubSub(this.command, this.subscriber, sharedDeserializer());
    const command = this.command;
    const subscriber = this.subscriber;
    metrics.redisConnected.from(() => ({
      command: command.status === 'ready' ? 1 : 0,
      subscriber: subscriber.status === 'ready' ? 1 : 0,
    }));
  }

  get configured(): boolean {
    return this.command !== null;
  }

  /**
   * A cluster's command connection refuses commands until it has learnt the slots: wait for
   * that (bounded) so the first claims and sends of a new instance do not fail for nothing.
   */
  async ready(): Promise<void> {
    const command = this.command;
    if (!command?.isCluster || command.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, CLUSTER_READY_WAIT_MS);
      command.once('ready', done);
      function done() {
        clearTimeout(timer);
        command!.off('ready', done);
        resolve();
      }
    });
  }

  /** Both connections answer: the one that publishes, and the one that hears subscriptions. */
  async ping(): Promise<void> {
    await Promise.all([this.command?.ping(), this.subscriber?.ping()]);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.pubSub instanceof RedisPubSub) this.pubSub.close();
    await Promise.all([
      this.command?.quit().catch(() => undefined),
      this.subscriber?.quit().catch(() => undefined),
    ]);
  }
}
