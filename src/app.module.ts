/** Wires configuration, infrastructure (database, pub/sub, GraphQL, logs) and the features. */
import { DynamicModule, Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import { AuthModule } from './auth/auth.module.js';
import { HttpExceptionFilter } from './common/errors/http-exception.filter.js';
import { AppConfig } from './config/app.config.js';
import { ConfigModule } from './config/config.module.js';
import { ENTITIES } from './data-source.options.js';
import { DatabaseModule } from './database/database.module.js';
import { GraphqlModule } from './graphql/graphql.module.js';
import { HealthModule } from './health/health.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { PubSubModule } from './pubsub/pubsub.module.js';
import { RateLimitModule } from './rate-limit/rate-limit.module.js';
import { RealtimeModule } from './realtime/realtime.module.js';
import { UsersModule } from './users/users.module.js';
import { ConversationsModule } from './conversations/conversations.module.js';
import { MessagesModule } from './messages/messages.module.js';
import { ChangesModule } from './changes/changes.module.js';
import { ReadStateModule } from './read-state/read-state.module.js';
import { PresenceModule } from './presence/presence.module.js';
import { AttachmentsModule } from './attachments/attachments.module.js';
import { ProfilesModule } from './profiles/profiles.module.js';
import { SearchModule } from './search/search.module.js';
import { PushModule } from './push/push.module.js';
import { WebModule } from './web/web.module.js';

@Module({})
export class AppModule implements NestModule {
  constructor(private readonly config: AppConfig) {}

  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(config),
        // Before the modules that serve HTTP, so its timing middleware sees every request.
        MetricsModule.forRoot(config),
        DatabaseModule.forRoot(config, ENTITIES),
        PubSubModule,
        RateLimitModule,
        GraphqlModule,
        RealtimeModule,
        AuthModule,
        UsersModule,
        ConversationsModule,
        MessagesModule,
        ChangesModule,
        ReadStateModule,
        PresenceModule,
        AttachmentsModule,
        ProfilesModule,
        SearchModule,
        PushModule,
        HealthModule,
        WebModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: HttpExceptionFilter }],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    if (this.config.servesHttpApi) return;
    // APP_ROLE=realtime: the WebSocket endpoint, health probes and metrics only; worker: the
    // last two only.
    const message =
      this.config.role === 'worker'
        ? 'This instance runs background work only'
        : 'This instance serves WebSocket only';
    consumer
      .apply((req: Request, res: Response, next: NextFunction) =>
        req.originalUrl.startsWith('/health/') || /^\/metrics(\?|$)/.test(req.originalUrl)
          ? next()
          : res.status(404).json({
              statusCode: 404,
              code: 'NOT_FOUND',
              message,
            }),
      )
      .forRoutes('*path');
  }
}
