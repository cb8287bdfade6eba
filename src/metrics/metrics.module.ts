/**
 * Prometheus metrics: AppMetrics (every metric, injectable everywhere so each module records its
 * own numbers), the HTTP timing middleware, and GET /metrics when enabled (see MetricsController).
 * Depends on nothing but the config: the modules whose numbers it shows depend on it.
 */
import {
  DynamicModule,
  Global,
  Module,
  type MiddlewareConsumer,
  type NestModule,
} from '@nestjs/common';
import type { AppConfig } from '../config/app.config.js';
import { AppMetrics } from './app.metrics.js';
import { HttpMetricsMiddleware } from './http-metrics.middleware.js';
import { MetricsController } from './metrics.controller.js';

@Global()
@Module({})
export class MetricsModule implements NestModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: MetricsModule,
      providers: [AppMetrics],
      controllers: config.metrics.enabled ? [MetricsController] : [],
      exports: [AppMetrics],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes('{*path}');
  }
}
