/**
 * Presence: who is online, across devices and instances. The store is Redis when REDIS_URL is set
 * (shared by every instance), otherwise in memory (a single instance).
 */
import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app.config.js';
import { ConversationsModule } from '../conversations/conversations.module.js';
import { Channels } from '../pubsub/channels.js';
import { EventBus } from '../pubsub/event-bus.js';
import { REDIS, type RedisClient } from '../pubsub/pubsub.tokens.js';
import { RealtimeModule } from '../realtime/realtime.module.js';
import { UsersModule } from '../users/users.module.js';
import { MemoryPresenceStore } from './memory-presence.store.js';
import { PresenceClaimsService } from './presence-claims.service.js';
import { PresenceLoader } from './presence.loader.js';
import { PresenceResolver } from './presence.resolver.js';
import { PresenceService } from './presence.service.js';
import { PresenceStore } from './presence.store.js';
import { PresenceStream } from './presence.stream.js';
import { PresenceWatchers } from './presence.watchers.js';
import { RedisPresenceStore } from './redis-presence.store.js';
import { UserPresenceResolver } from './user-presence.resolver.js';

@Module({
  imports: [UsersModule, ConversationsModule, RealtimeModule],
  providers: [
    {
      provide: PresenceStore,
      inject: [AppConfig, REDIS, Channels, EventBus],
      useFactory: (
        config: AppConfig,
        redis: RedisClient | null,
        channels: Channels,
        bus: EventBus,
      ) => {
        const timings = {
          ttlMs: config.presence.ttlSeconds * 1000,
          graceMs: config.presence.graceMs,
        };
        return redis
          ? new RedisPresenceStore(redis, channels, timings)
          : new MemoryPresenceStore(bus, channels, timings);
      },
    },
    PresenceService,
    PresenceClaimsService,
    PresenceWatchers,
    PresenceStream,
    PresenceLoader,
    PresenceResolver,
    UserPresenceResolver,
  ],
  // Read by the push worker: a member online anywhere gets no push.
  exports: [PresenceStore],
})
export class PresenceModule {}
