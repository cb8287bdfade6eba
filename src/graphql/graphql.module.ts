/**
 * GraphQL over HTTP (Apollo, code-first schema emitted to schema.gql); the WebSocket endpoint on
 * the same path is realtime/. Every error goes through format-error.ts.
 */
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Global, Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import type { Request } from 'express';
import { join } from 'node:path';
import { RequestLoaders } from '../common/dataloader/request-loaders.js';
import { AppConfig } from '../config/app.config.js';
import { createFormatError } from './format-error.js';
import type { GraphqlContext } from '../common/graphql-context.js';
import { limitRules, parseOptions } from './query-limits.js';

/** Where GraphQL is served: HTTP POST/GET and the WebSocket upgrade. */
export const GRAPHQL_PATH = '/graphql';

/** Where the committed schema lives; regenerated whenever the app starts in development. */
export const SCHEMA_FILE = join(process.cwd(), 'schema.gql');

@Global()
@Module({
  imports: [
    GraphQLModule.forRootAsync<ApolloDriverConfig>({
      driver: ApolloDriver,
      inject: [AppConfig],
      useFactory: (config: AppConfig): ApolloDriverConfig => ({
        path: GRAPHQL_PATH,
        // Written only in development: production images may be read-only, and tests compare
        // the committed file with the schema they build in memory.
        autoSchemaFile: config.env === 'development' ? SCHEMA_FILE : true,
        sortSchema: true,
        graphiql: !config.isProduction,
        introspection: !config.isProduction,
        // Subscriptions are served by realtime/'s GraphqlWsServer, which adds the socket's guards.
        subscriptions: undefined,
        autoTransformHttpErrors: false,
        validationRules: limitRules,
        parseOptions,
        // One operation per request: a batch would multiply every limit above.
        allowBatchedHttpRequests: false,
        // Apollo refuses simple (form, text/plain) POSTs without a preflight-forcing header.
        csrfPrevention: true,
        formatError: createFormatError({ hideSuggestions: config.isProduction }),
        includeStacktraceInErrorResponses: false,
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
export class GraphqlModule {}
