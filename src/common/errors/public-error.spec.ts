import { describe, it, expect } from 'vitest';
import {
  BadRequestException,
  ForbiddenException,
  HttpException,
  NotFoundException,
  PayloadTooLargeException,
  UnauthorizedException,
} from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { ConflictError, NotFoundError, TooManyRequestsError } from './domain-error.js';
import { toPublicError } from './public-error.js';

describe('toPublicError', () => {
  describe('HttpException', () => {
    it.each([
      [new BadRequestException(), 400, 'BAD_USER_INPUT'],
      [new UnauthorizedException(), 401, 'UNAUTHENTICATED'],
      [new ForbiddenException(), 403, 'FORBIDDEN'],
      [new NotFoundException(), 404, 'NOT_FOUND'],
      [new PayloadTooLargeException(), 413, 'PAYLOAD_TOO_LARGE'],
    ])('%s maps to %i %s', (error, status, code) => {
      expect(toPublicError(error)).toMatchObject({ status, code, expected: true });
    });

    it('keeps a plain HttpException message', () => {
      expect(toPublicError(new HttpException('No such route', 404))).toMatchObject({
        code: 'NOT_FOUND',
        status: 404,
        message: 'No such route',
      });
    });

    it('joins a validation pipe message list', () => {
      const error = new BadRequestException(['name must be a string', 'age must be an integer']);
      expect(toPublicError(error).message).toBe('name must be a string; age must be an integer');
    });

    it('treats an unmapped status as an internal error', () => {
      expect(toPublicError(new HttpException('I am a teapot', 418))).toMatchObject({
        code: 'INTERNAL_SERVER_ERROR',
        status: 500,
        message: 'Internal server error',
        expected: false,
      });
    });
  });

  it('maps a ThrottlerException to TOO_MANY_REQUESTS / 429', () => {
    expect(toPublicError(new ThrottlerException())).toEqual({
      code: 'TOO_MANY_REQUESTS',
      status: 429,
      message: 'Too many requests',
      details: {},
      expected: true,
    });
  });

  it('keeps a domain error as it is, with its contract status', () => {
    expect(toPublicError(new NotFoundError('Message'))).toEqual({
      code: 'NOT_FOUND',
      status: 404,
      message: 'Message not found',
      details: {},
      expected: true,
    });
    expect(toPublicError(new ConflictError('Taken'))).toMatchObject({ status: 409 });
    expect(toPublicError(new TooManyRequestsError(7))).toMatchObject({
      status: 429,
      details: { retryAfterSeconds: 7 },
    });
  });

  it.each([
    'connect ECONNREFUSED 127.0.0.1:5432',
    'read ECONNRESET',
    'timeout exceeded when trying to connect',
    'Connection terminated unexpectedly',
    'the database system is starting up',
    'terminating connection due to administrator command',
  ])('maps %j to SERVICE_UNAVAILABLE / 503 with a safe message', (message) => {
    const result = toPublicError(new Error(message));
    expect(result.code).toBe('SERVICE_UNAVAILABLE');
    expect(result.status).toBe(503);
    expect(result.message).not.toContain(message);
    expect(result.expected).toBe(false);
  });

  it.each([
    ['an Error', new Error('SELECT * FROM secret_table failed')],
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a string', 'oops'],
    ['undefined', undefined],
    ['null', null],
    ['a plain object', { message: 'ECONNREFUSED' }],
  ])('maps %s to a generic 500 that is not expected', (_label, error) => {
    expect(toPublicError(error)).toEqual({
      code: 'INTERNAL_SERVER_ERROR',
      status: 500,
      message: 'Internal server error',
      details: {},
      expected: false,
    });
  });
});
