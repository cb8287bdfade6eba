/**
 * The one mapping from anything thrown to what a client may see: a contract code, an HTTP status,
 * a safe message and optional details. Unknown errors become a generic INTERNAL_SERVER_ERROR
 * (the caller logs the original).
 */
import { HttpException } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { DomainError, HTTP_STATUS_OF, type ErrorCode, type ErrorDetails } from './domain-error.js';

export interface PublicError {
  code: ErrorCode;
  status: number;
  message: string;
  details: ErrorDetails;
  /** False when the error is unexpected and must be logged in full. */
  expected: boolean;
}

const CODE_OF_STATUS: Record<number, ErrorCode> = {
  400: 'BAD_USER_INPUT',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
};

/** Database errors that mean "the database is unreachable", not "the code is wrong". */
const UNAVAILABLE_ERRORS =
  /ECONNREFUSED|ECONNRESET|timeout exceeded when trying to connect|Connection terminated|connection timeout|the database system is (starting|shutting) up|terminating connection/i;

export function toPublicError(error: unknown): PublicError {
  if (error instanceof DomainError) {
    return {
      code: error.code,
      status: HTTP_STATUS_OF[error.code],
      message: error.message,
      details: error.details,
      expected: true,
    };
  }
  if (error instanceof ThrottlerException) {
    return {
      code: 'TOO_MANY_REQUESTS',
      status: 429,
      message: 'Too many requests',
      details: {},
      expected: true,
    };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const code = CODE_OF_STATUS[status];
    if (code) {
      return { code, status, message: httpMessage(error), details: {}, expected: true };
    }
  }
  if (error instanceof Error && UNAVAILABLE_ERRORS.test(error.message)) {
    return {
      code: 'SERVICE_UNAVAILABLE',
      status: 503,
      message: 'The service is temporarily unavailable; retry shortly',
      details: {},
      expected: false,
    };
  }
  return {
    code: 'INTERNAL_SERVER_ERROR',
    status: 500,
    message: 'Internal server error',
    details: {},
    expected: false,
  };
}

function httpMessage(error: HttpException): string {
  const response = error.getResponse();
  if (typeof response === 'object' && response && 'message' in response) {
    const message = (response as { message: unknown }).message;
    if (Array.isArray(message)) return message.join('; ');
    if (typeof message === 'string') return message;
  }
  return error.message;
}

/**
 * Logs what a client was not told: unknown errors in full (with stack, for a developer), an
 * unreachable database as one warning line (an operational state, and the full error would
 * carry the query and its parameters, i.e. users' messages). Domain errors are not logged here:
 * whoever throws one (say, presence finding Redis down) logs its cause where it knows it.
 */
export function logPublicError(
  logger: { error(obj: object, msg: string): void; warn(msg: string): void },
  publicError: PublicError,
  original: unknown,
  where: Record<string, unknown> = {},
): void {
  if (original instanceof DomainError) return;
  if (publicError.code === 'SERVICE_UNAVAILABLE') {
    logger.warn(
      `database unavailable: ${original instanceof Error ? original.message : String(original)}`,
    );
  } else if (!publicError.expected) {
    logger.error({ err: original, ...where }, 'unexpected error');
  }
}
