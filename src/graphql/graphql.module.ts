/**
 * GraphQL over HTTP (Apollo, code-first schema emitted to schema.gql); the WebSocket endpoint on
 * the same path is realtime/. Every error goes through format-error.ts.
 */
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import {
  Global,
  Logger,
  Module,
  RequestMethod,
  type MiddlewareConsumer,
  type NestModule,
} from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import type { Request } from 'express';
import { join } from 'node:path';
import { RequestLoaders } from '../common/dataloader/request-loaders.js';
import { AppConfig } from '../config/app.config.js';
import { AppMetrics } from '../metrics/app.metrics.js';
import { graphqlMetricsPlugin } from '../metrics/graphql-metrics.plugin.js';
import { createExplorerHandler, explorerVersion } from './explorer.handler.js';
import { createFormatError } from './format-error.js';
import { refuseHttpSubscriptionsPlugin } from './http-subscriptions.plugin.js';
import { noStorePlugin } from './no-store.plugin.js';
import type { GraphqlContext } from '../common/graphql-context.js';
import { parseOptions, validationRules } from './query-limits.js';

/** Where GraphQL is served: HTTP POST/GET and the WebSocket upgrade. */
export const GRAPHQL_PATH = '/graphql';

/** Where the committed schema lives; regenerated whenever the app starts in development. */
export const SCHEMA_FILE = join(process.cwd(), 'schema.gql');

@Global()
@Module({
  imports: [
    GraphQLModule.forRootAsync<ApolloDriverConfig>({
      driver: ApolloDriver,
      inject: [AppConfig, AppMetrics],
      useFactory: (config: AppConfig, metrics: AppMetrics): ApolloDriverConfig => ({
        path: GRAPHQL_PATH,
        // Written only in development: production images may be read-only, and tests compare
        // the committed file with the schema they build in memory.
        autoSchemaFile: config.env === 'development' ? SCHEMA_FILE : true,
        sortSchema: true,
        // The explorer is explorer.handler.ts (no CDN); Apollo's landing page stays off.
        graphiql: false,
        // Introspection is refused by the shared rule list below, so that HTTP and WebSocket refuse
        // it alike (Apollo's own switch would only cover HTTP, and repeat the error).
        introspection: true,
        // Subscriptions are served by realtime/'s GraphqlWsServer, which adds the socket's guards.
        subscriptions: undefined,
        autoTransformHttpErrors: false,
        // Outside production the explorer, codegen and IDEs introspect: the standard query passes.
        validationRules: validationRules({ introspection: !config.isProduction }),
        parseOptions,
        // One operation per request: a batch would multiply every limit above.
        allowBatchedHttpRequests: false,
        // Apollo refuses requests a cross-site page could make a browser send (forms, text/plain
        // POSTs, plain GETs) unless they carry a header only a script can set, which also forces
        // a CORS preflight. Authorization is one (the contract's GET queries carry it); the other
        // two are Apollo's defaults. Mutations over GET are refused whatever the headers (405).
        csrfPrevention: {
          requestHeaders: ['authorization', 'x-apollo-operation-name', 'apollo-require-preflight'],
        },
        formatError: createFormatError({ hideSuggestions: config.isProduction }),
        includeStacktraceInErrorResponses: false,
        // No per-field plugin hooks: with none, Apollo leaves the schema's resolvers unwrapped.
        plugins: [
          graphqlMetricsPlugin(metrics),
          refuseHttpSubscriptionsPlugin,
          ApolloServerPluginCacheControlDisabled(),
          noStorePlugin,
        ],
        context: ({ req }: { req: Request }): GraphqlContext => ({
          req,
          loaders: new RequestLoaders(),
        }),
      }),
    }),
  ],
  // The schema host, for the WebSocket server.
  exports: [GraphQLModule],
})
export class GraphqlModule implements NestModule {
  constructor(private readonly config: AppConfig) {}

  configure(consumer: MiddlewareConsumer): void {
    if (this.config.isProduction || !this.config.servesHttpApi) return;
    const version = explorerVersion();
    if (!version) {
      new Logger('GraphQL').warn('GraphQL explorer not installed (npm install without --omit=dev)');
      return;
    }
    // Module middleware runs before Apollo's, which Nest mounts at GRAPHQL_PATH later.
    consumer
      .apply(createExplorerHandler(GRAPHQL_PATH, version))
      .forRoutes({ path: `${GRAPHQL_PATH.slice(1)}{/*rest}`, method: RequestMethod.GET });
  }
}
