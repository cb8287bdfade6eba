/**
 * What an operation on a socket must pass before it runs: at most WS_MAX_SUBSCRIPTIONS at once
 * per connection, the subscription-start rate limit, and a document that parses and validates
 * under the query limits (each text parsed and validated once, see document-cache.ts). A refusal
 * answers that one operation; the socket stays open.
 */
import { Injectable } from '@nestjs/common';
import { GraphQLError, type DocumentNode, type ExecutionArgs, type GraphQLSchema } from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import { DomainError } from '../common/errors/domain-error.js';
import type { GraphqlContext } from '../common/graphql-context.js';
import { RequestLoaders } from '../common/dataloader/request-loaders.js';
import { AppConfig } from '../config/app.config.js';
import { parseLimited, validatorFor } from '../graphql/query-limits.js';
import { RateLimiter } from '../rate-limit/rate-limiter.js';
import { DocumentCache } from './document-cache.js';
import type { WsClient } from './ws.session.js';

@Injectable()
export class WsAdmission {
  // Clients send the same few operations again and again: parse and validate each text once.
  private readonly documents: DocumentCache;

  constructor(
    private readonly config: AppConfig,
    private readonly rateLimiter: RateLimiter,
  ) {
    // The rules HTTP validates with (introspection refused in production on both).
    const validate = validatorFor({ introspection: !config.isProduction });
    this.documents = new DocumentCache(parseLimited, validate);
  }

  /** A subscribe's arguments to execute with, or the errors that refuse it. */
  async admit(
    schema: GraphQLSchema,
    client: WsClient,
    payload: SubscribePayload,
  ): Promise<ExecutionArgs | readonly GraphQLError[]> {
    const { maxSubscriptions } = this.config.ws;
    // The protocol server has already entered the operation being started.
    if (client.operations.size > maxSubscriptions) {
      const limit = `At most ${maxSubscriptions} operations per connection`;
      return [refusal(new DomainError('TOO_MANY_REQUESTS', limit))];
    }
    try {
      await this.rateLimiter.consume('subscriptions', client.connectionId);
    } catch (error) {
      return [refusal(error as DomainError)];
    }
    // A syntax error answers the one operation (graphql-ws's own parse closed the whole socket
    // with 4500).
    let document: DocumentNode;
    try {
      document = this.documents.parse(payload.query);
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      return [new GraphQLError(error.message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
    }
    const errors = this.documents.validate(schema, document);
    if (errors.length > 0) return errors;
    const contextValue: GraphqlContext = { user: client.user, loaders: new RequestLoaders() };
    return {
      schema,
      document,
      operationName: payload.operationName,
      variableValues: payload.variables,
      contextValue,
    };
  }
}

/** An operation refused before it starts, carrying the domain error for format-error. */
function refusal(error: DomainError): GraphQLError {
  return new GraphQLError(error.message, { originalError: error });
}
