import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Logger } from '@nestjs/common';
import { GraphQLError, parse, type GraphQLFormattedError } from 'graphql';
import {
  BadUserInputError,
  ForbiddenError,
  NotFoundError,
  TooManyRequestsError,
} from '../common/errors/domain-error.js';
import { formatError } from './format-error.js';

/** What GraphQL does with an error thrown by a resolver, then what Apollo hands to formatError. */
function fromResolver(originalError: Error, path: (string | number)[] = ['x']) {
  const error = new GraphQLError(originalError.message, { path, originalError });
  return formatError(error.toJSON(), error);
}

describe('formatError', () => {
  beforeAll(() => {
    // The unexpected-error cases log on purpose; keep the test output clean.
    Logger.overrideLogger(false);
  });
  afterAll(() => {
    Logger.overrideLogger(new Logger());
  });

  it('keeps the code and message of a domain error thrown in a resolver', () => {
    const result = fromResolver(new NotFoundError('Conversation'), ['conversation']);
    expect(result.message).toBe('Conversation not found');
    expect(result.extensions?.code).toBe('NOT_FOUND');
    expect(result.path).toEqual(['conversation']);
  });

  it('keeps the code of other domain errors', () => {
    const result = fromResolver(new ForbiddenError('Not a member'));
    expect(result).toMatchObject({ message: 'Not a member', extensions: { code: 'FORBIDDEN' } });
  });

  it('passes the fields of a BadUserInputError through in extensions', () => {
    const fields = [{ field: 'body', messages: ['must not be empty'] }];
    const result = fromResolver(new BadUserInputError('Invalid input', { fields }));
    expect(result.message).toBe('Invalid input');
    expect(result.extensions).toEqual({ code: 'BAD_USER_INPUT', fields });
  });

  it('gives a TooManyRequestsError its retryAfterSeconds', () => {
    const result = fromResolver(new TooManyRequestsError(12));
    expect(result.extensions).toEqual({ code: 'TOO_MANY_REQUESTS', retryAfterSeconds: 12 });
  });

  it('turns an unknown error into a generic INTERNAL_SERVER_ERROR without its detail', () => {
    const result = fromResolver(new Error('SELECT * FROM secret_table failed'));
    expect(result.message).toBe('Internal server error');
    expect(result.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    const text = JSON.stringify(result);
    expect(text).not.toContain('secret_table');
    expect(text).not.toContain('SELECT');
  });

  it('hides an unknown error even when Apollo put a stack trace in the formatted error', () => {
    const originalError = new Error('SELECT * FROM secret_table failed');
    const error = new GraphQLError(originalError.message, { path: ['x'], originalError });
    const formatted: GraphQLFormattedError = {
      ...error.toJSON(),
      extensions: {
        code: 'INTERNAL_SERVER_ERROR',
        stacktrace: (originalError.stack ?? '').split('\n'),
      },
    };
    const result = formatError(formatted, error);
    expect(result.extensions).not.toHaveProperty('stacktrace');
    expect(JSON.stringify(result)).not.toContain('secret_table');
  });

  it('maps an unreachable database to SERVICE_UNAVAILABLE', () => {
    const result = fromResolver(new Error('connect ECONNREFUSED 10.0.0.5:5432'));
    expect(result.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(JSON.stringify(result)).not.toContain('10.0.0.5');
  });

  it('passes a GraphQL validation error through with its message', () => {
    const error = new GraphQLError('Cannot query field "nope" on type "Query".', {
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
    const result = formatError(error.toJSON(), error);
    expect(result.message).toBe('Cannot query field "nope" on type "Query".');
    expect(result.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED' });
  });

  it('treats a path-less GraphQL error without a code as a validation error', () => {
    const error = new GraphQLError('Syntax Error: Expected Name, found <EOF>.');
    const result = formatError(error.toJSON(), error);
    expect(result.message).toBe('Syntax Error: Expected Name, found <EOF>.');
    expect(result.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('answers a failed subscription stream (no path, no document position) as a server error', () => {
    const pool = new Error('timeout exceeded when trying to connect');
    const unavailable = new GraphQLError(pool.message, { originalError: pool });
    const result = formatError(unavailable.toJSON(), unavailable);
    expect(result.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(result.message).not.toContain('timeout exceeded');
    const sql = new Error('relation "messages" does not exist');
    const failed = new GraphQLError(sql.message, { originalError: sql });
    const internal = formatError(failed.toJSON(), failed);
    expect(internal.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(internal.message).not.toContain('messages');
  });

  it("keeps a coercion error GraphQL's own when a scalar threw it (it points at the variable)", () => {
    const thrown = new TypeError('not a UUID');
    const error = new GraphQLError('Variable "$id" got invalid value "x"; not a UUID', {
      nodes: parse('query($id: ID!) { a }').definitions,
      originalError: thrown,
    });
    const result = formatError(error.toJSON(), error);
    expect(result.message).toBe('Variable "$id" got invalid value "x"; not a UUID');
    expect(result.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('passes a variable coercion error (BAD_USER_INPUT) through', () => {
    const error = new GraphQLError('Variable "$id" of required type "ID!" was not provided.', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const result = formatError(error.toJSON(), error);
    expect(result.message).toBe('Variable "$id" of required type "ID!" was not provided.');
    expect(result.extensions).toEqual({ code: 'BAD_USER_INPUT' });
  });

  it('never puts a stacktrace in extensions', () => {
    const validation = new GraphQLError('bad', {
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED', stacktrace: ['at x'] },
    });
    const results = [
      fromResolver(new NotFoundError('User')),
      fromResolver(new Error('boom')),
      fromResolver(new TooManyRequestsError(1)),
      formatError(validation.toJSON(), validation),
    ];
    for (const result of results) {
      expect(result.extensions).not.toHaveProperty('stacktrace');
    }
  });
});
