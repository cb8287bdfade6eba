/**
 * Pub/sub between instances: Redis (graphql-redis-subscriptions over ioredis) when REDIS_URL is
 * set, otherwise an in-process PubSub that serves a single instance. Also provides the plain
 * Redis command connection (or null) for features that keep state in Redis.
 */
import { Global, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { PubSub, type PubSubEngine } from 'graphql-subscriptions';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import { Redis } from 'ioredis';
import { redactUrl } from '../common/redact-url.js';
import { AppConfig } from '../config/app.config.js';
import { AppMetrics } from '../metrics/app.metrics.js';
import { Channels } from './channels.js';
import { EventBus } from './event-bus.js';
import { PUB_SUB, REDIS } from './pubsub.tokens.js';
import { sharedDeserializer } from './shared-payloads.js';

export class RedisConnections implements OnApplicationShutdown {
  readonly pubSub: PubSubEngine;
  readonly command: Redis | null;
  private readonly subscriber: Redis | null;

  constructor(config: AppConfig, metrics: AppMetrics) {
    const logger = new Logger('PubSub');
    if (!config.redis.url) {
      logger.log('using in-process pub/sub and presence (REDIS_URL is not set): one instance only');
      this.pubSub = new PubSub();
      this.command = null;
      this.subscriber = null;
      return;
    }
    const onError = (err: Error) => logger.warn(`redis: ${err.message}`);
    // Publishing must never wait for a Redis that is down: PostgreSQL holds every message and
    // clients resume from it, so a lost publish costs latency, not data.
    this.command = new Redis(config.redis.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      lazyConnect: false,
    }).on('error', onError);
    this.subscriber = new Redis(config.redis.url, { maxRetriesPerRequest: null }).on(
      'error',
      onError,
    );
    this.pubSub = new RedisPubSub({
      publisher: this.command,
      subscriber: this.subscriber,
      // Each distinct payload parsed once, however many local users' channels carry it; each
      // event's own codec turns it into its types (no guessing dates from field names).
      deserializer: sharedDeserializer(),
    });
    const command = this.command;
    const subscriber = this.subscriber;
    metrics.redisConnected.from(() => ({
      command: command.status === 'ready' ? 1 : 0,
      subscriber: subscriber.status === 'ready' ? 1 : 0,
    }));
    logger.log(`using Redis pub/sub at ${redactUrl(config.redis.url)}`);
  }

  get configured(): boolean {
    return this.command !== null;
  }

  /** Both connections answer: the one that publishes, and the one that hears subscriptions. */
  async ping(): Promise<void> {
    await Promise.all([this.command?.ping(), this.subscriber?.ping()]);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([
      this.command?.quit().catch(() => undefined),
      this.subscriber?.quit().catch(() => undefined),
    ]);
  }
}

@Global()
@Module({
  providers: [
    {
      provide: RedisConnections,
      inject: [AppConfig, AppMetrics],
      useFactory: (c: AppConfig, m: AppMetrics) => new RedisConnections(c, m),
    },
    { provide: PUB_SUB, inject: [RedisConnections], useFactory: (r: RedisConnections) => r.pubSub },
    { provide: REDIS, inject: [RedisConnections], useFactory: (r: RedisConnections) => r.command },
    Channels,
    EventBus,
  ],
  exports: [PUB_SUB, REDIS, Channels, EventBus, RedisConnections],
})
export class PubSubModule {}
