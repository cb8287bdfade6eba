/**
 * REST errors: `{ statusCode, code, message }` with the status the contract gives for each code.
 * GraphQL errors are not handled here: they go on to format-error.ts.
 */
import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { logPublicError, toPublicError } from './public-error.js';

@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const response = host.switchToHttp().getResponse<Response>();
    const error = toPublicError(exception);
    logPublicError(this.logger, error, exception);
    if (error.details.retryAfterSeconds !== undefined) {
      response.setHeader('Retry-After', String(error.details.retryAfterSeconds));
    }
    response.status(error.status).json({
      statusCode: error.status,
      code: error.code,
      message: error.message,
      ...(error.details.fields ? { fields: error.details.fields } : {}),
    });
  }
}
