/**
 * GraphQL over HTTP (Apollo, code-first schema emitted to schema.gql) and over WebSocket
 * (graphql-ws, see graphql-ws.server.ts). Every error goes through format-error.ts.
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
import { GRAPHQL_PATH, GraphqlWsServer } from './graphql-ws.server.js';
import { limitRules, parseOptions } from './query-limits.js';
import { WsConnections } from './ws-connections.js';

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
        // Subscriptions are served by GraphqlWsServer, which adds the socket's guards.
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
  providers: [GraphqlWsServer, WsConnections],
  exports: [WsConnections],
})
export class GraphqlModule {}
