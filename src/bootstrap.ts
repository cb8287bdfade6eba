/** Builds the Nest application from a config; shared by main.ts and the test harness. */
import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/app.config.js';
import { setupOpenApi } from './common/openapi.js';
import { createValidationPipe } from './common/validation/validation.pipe.js';
import { GraphqlWsServer } from './realtime/graphql-ws.server.js';
import { jsonDepthExceeds, MAX_JSON_DEPTH } from './common/validation/json-depth.js';

export async function createApp(config: AppConfig): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(createValidationPipe());
  app.enableCors({
    origin: config.http.corsOrigins.length > 0 ? config.http.corsOrigins : true,
    credentials: false,
    // Web clients on another origin may read the name and range of a downloaded file.
    exposedHeaders: ['Content-Disposition', 'Content-Range', 'ETag', 'Retry-After'],
  });
  // X-Forwarded-For is believed only from TRUSTED_PROXIES (compose: its nginx); by default from
  // nobody, or anyone on the network could pick the address the per-address limits count.
  app.set(
    'trust proxy',
    config.http.trustedProxies.length > 0 ? config.http.trustedProxies : false,
  );
  app.disable('x-powered-by');
  // Node's default (5 s) is shorter than every proxy's: see HTTP_KEEP_ALIVE_TIMEOUT_MS.
  (app.getHttpServer() as Server).keepAliveTimeout = config.http.keepAliveTimeoutMs;
  // Nesting is bounded before the body is parsed (see json-depth.ts); body-parser answers 400.
  // (Nest's type leaves `verify` out, as it uses it for rawBody, which this app does not.)
  const jsonOptions = { limit: '256kb', verify: refuseDeepJson };
  app.useBodyParser('json', jsonOptions);
  // Like the GraphQL explorer: for developers, not exposed in production.
  if (!config.isProduction && config.servesHttpApi) setupOpenApi(app);
  return app;
}

/**
 * Graceful shutdown, in order: close WebSockets with 1001 (clients move to another instance),
 * then let Nest stop HTTP (in-flight requests finish), then close Redis and the database pool.
 */
export async function closeApp(app: INestApplication): Promise<void> {
  await app.get(GraphqlWsServer).drain();
  await app.close();
}

/** body-parser's `verify`: runs on the raw bytes, before JSON.parse. */
function refuseDeepJson(_req: unknown, _res: unknown, body: Buffer): void {
  if (jsonDepthExceeds(body)) {
    throw Object.assign(new Error(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`), {
      status: 400,
      type: 'entity.too.deep',
    });
  }
}
