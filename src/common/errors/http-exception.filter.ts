/**
 * REST errors: `{ statusCode, code, message }` with the status the contract gives for each code.
 * GraphQL errors are not handled here: they go on to format-error.ts. A request to the GraphQL
 * endpoint that fails before GraphQL sees it (a body that is not JSON, or nested too deeply)
 * answers in GraphQL's shape, as BAD_REQUEST, which is what GraphQL clients read.
 */
import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { logPublicError, toPublicError } from './public-error.js';

/** The GraphQL endpoint's path (graphql.module.ts's GRAPHQL_PATH; common/ cannot import it). */
const GRAPHQL_ENDPOINT = '/graphql';

@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const response = host.switchToHttp().getResponse<Response>();
    const request = host.switchToHttp().getRequest<Request>();
    const error = toPublicError(exception);
    logPublicError(this.logger, error, exception);
    if (request.path === GRAPHQL_ENDPOINT && error.code === 'BAD_USER_INPUT') {
      response
        .status(400)
        .json({ errors: [{ message: error.message, extensions: { code: 'BAD_REQUEST' } }] });
      return;
    }
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
