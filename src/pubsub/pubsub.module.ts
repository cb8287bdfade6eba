/**
 * Pub/sub between instances: Redis (one server, or a Redis Cluster with sharded pub/sub) when
 * REDIS_URL or REDIS_CLUSTER_NODES is set, otherwise an in-process PubSub that serves a single
 * instance. Also provides the plain Redis command connection (or null) for features that keep
 * state in Redis. The connections are made in redis-connections.ts.
 */
import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app.config.js';
import { AppMetrics } from '../metrics/app.metrics.js';
import { Channels } from './channels.js';
import { EventBus } from './event-bus.js';
import { PUB_SUB, REDIS } from './pubsub.tokens.js';
import { RedisConnections } from './redis-connections.js';

export { RedisConnections } from './redis-connections.js';

@Global()
@Module({
  providers: [
    {
      provide: RedisConnections,
      inject: [AppConfig, AppMetrics],
      useFactory: async (c: AppConfig, m: AppMetrics) => {
        const connections = new RedisConnections(c, m);
        await connections.ready();
        return connections;
      },
    },
    { provide: PUB_SUB, inject: [RedisConnections], useFactory: (r: RedisConnections) => r.pubSub },
    { provide: REDIS, inject: [RedisConnections], useFactory: (r: RedisConnections) => r.command },
    Channels,
    EventBus,
  ],
  exports: [PUB_SUB, REDIS, Channels, EventBus, RedisConnections],
})
export class PubSubModule {}
