/**
 * The one place GraphQL errors are shaped for clients (HTTP and WebSocket): domain errors keep
 * their contract code and message; request-level errors from GraphQL itself (parse, validation,
 * variable coercion) pass through; anything else becomes a generic INTERNAL_SERVER_ERROR and is
 * logged in full here. No stack trace, SQL or internal name reaches a client.
 */
import { Logger } from '@nestjs/common';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { DomainError } from '../common/errors/domain-error.js';
import { logPublicError, toPublicError } from '../common/errors/public-error.js';
import { coercionMessage } from './coercion-message.js';

const logger = new Logger('GraphQL');

/** Codes GraphQL/Apollo raise before any resolver runs; their messages are safe to show. */
const REQUEST_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/** "Did you mean …?" hints map the schema for whoever probes it: dropped in production. */
const SUGGESTION = / ?Did you mean .*\?$/;

export type FormatError = (
  formatted: GraphQLFormattedError,
  error: unknown,
) => GraphQLFormattedError;

export function createFormatError(options: { hideSuggestions: boolean }): FormatError {
  return (formatted, error) => {
    const result = formatError(formatted, error);
    return options.hideSuggestions
      ? { ...result, message: result.message.replace(SUGGESTION, '') }
      : result;
  };
}

export function formatError(
  formatted: GraphQLFormattedError,
  error: unknown,
): GraphQLFormattedError {
  const inner = error instanceof GraphQLError ? error.originalError : undefined;
  // GraphQL's own errors about a request point into its document (parse, validation, variables)
  // or wrap another GraphQLError (Apollo's ValidationError around a rule's); a path-less error
  // wrapping a thrown one that points nowhere failed on the server (a subscription's stream: a
  // pool timeout was answered as GRAPHQL_VALIDATION_FAILED, with pg-pool's own text).
  const aboutRequest =
    error instanceof GraphQLError &&
    !error.path &&
    !(inner instanceof DomainError) &&
    (inner === undefined || inner instanceof GraphQLError || error.nodes !== undefined);
  if (aboutRequest) {
    // Raised by GraphQL itself about the request (parse, validation, variables): safe as written.
    const code = formatted.extensions?.code;
    if (code === undefined) return shape(formatted, 'GRAPHQL_VALIDATION_FAILED');
    if (code === 'BAD_USER_INPUT') {
      return shape({ ...formatted, message: coercionMessage(error) }, code);
    }
    if (typeof code === 'string' && REQUEST_ERROR_CODES.has(code)) return shape(formatted, code);
    // Apollo's own refusals of the HTTP request (a persisted-query extension with a bad hash or
    // version, say) carry a 4xx status but no code; Apollo then labels them INTERNAL_SERVER_ERROR.
    if (isClientStatus(error.extensions?.http)) return shape(formatted, 'BAD_REQUEST');
  }

  const original =
    error instanceof GraphQLError && !error.path && inner ? inner : unwrapResolverError(error);
  const publicError = toPublicError(inner instanceof DomainError ? inner : original);
  logPublicError(logger, publicError, original, { path: formatted.path });
  const { fields, retryAfterSeconds } = publicError.details;
  return shape({ ...formatted, message: publicError.message }, publicError.code, {
    ...(fields ? { fields } : {}),
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
  });
}

function isClientStatus(http: unknown): boolean {
  const status = (http as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

function shape(
  formatted: GraphQLFormattedError,
  code: string,
  extra: Record<string, unknown> = {},
): GraphQLFormattedError {
  return {
    message: formatted.message,
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code, ...extra },
  };
}
