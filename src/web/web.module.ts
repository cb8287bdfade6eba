/**
 * The reference web client (web/, built into web/dist) served at `/` by every instance that
 * serves the HTTP API. Without a build the server still starts and says so.
 */
import {
  Logger,
  Module,
  RequestMethod,
  type MiddlewareConsumer,
  type NestModule,
} from '@nestjs/common';
import { join } from 'node:path';
import { AppConfig } from '../config/app.config.js';
import { createWebAppHandler } from './web-app.handler.js';

/** Like schema.gql, found from the working directory (the repository root, or /app in images). */
export const WEB_DIST_DIR = join(process.cwd(), 'web', 'dist');

@Module({})
export class WebModule implements NestModule {
  private readonly logger = new Logger('WebApp');

  constructor(private readonly config: AppConfig) {}

  configure(consumer: MiddlewareConsumer): void {
    if (!this.config.servesHttpApi) return;
    const handler = createWebAppHandler(WEB_DIST_DIR);
    if (!handler) {
      this.logger.warn(`web app not built (no ${WEB_DIST_DIR}/index.html): run npm run build`);
      return;
    }
    this.logger.log(`web app at / (from ${WEB_DIST_DIR})`);
    // Middleware runs before the routes: the handler itself passes API paths on untouched.
    consumer.apply(handler).forRoutes({ path: '{*path}', method: RequestMethod.GET });
  }
}
