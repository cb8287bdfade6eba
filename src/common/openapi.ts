/**
 * The OpenAPI document of the REST API (the original design's endpoints), served at /docs for
 * client teams that do not use GraphQL. GraphQL documents itself through its schema.
 */
import { applyDecorators, type INestApplication } from '@nestjs/common';
import { ApiProperty, ApiResponse, DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { ErrorCode } from './errors/domain-error.js';

export class ErrorView {
  @ApiProperty({ example: 404 })
  statusCode: number;

  @ApiProperty({ example: 'NOT_FOUND', description: 'The same codes as GraphQL errors.' })
  code: ErrorCode;

  @ApiProperty({ example: 'Conversation not found' })
  message: string;
}

const MEANING: Record<number, string> = {
  400: 'BAD_USER_INPUT: the input breaks a rule (which one is in the message)',
  401: 'UNAUTHENTICATED: no valid bearer token',
  404: 'NOT_FOUND: unknown, or not visible to the caller (the same answer)',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'TOO_MANY_REQUESTS: retry after the Retry-After header',
};

/** Documents the error answers an endpoint can give (401 applies to every one). */
export const ApiErrors = (...statuses: (400 | 404 | 413 | 429)[]) =>
  applyDecorators(
    ...[401, ...statuses].map((status) =>
      ApiResponse({ status, description: MEANING[status], type: ErrorView }),
    ),
  );

/** Markdown, shown above the endpoints: what a REST client needs that the paths do not say. */
const DESCRIPTION = [
  "The original design's REST endpoints, over the same services and rules as the GraphQL API at `/graphql`. Every call needs `Authorization: Bearer <accessToken>` (from the GraphQL `login` or `register` mutations).",
  'This document as JSON: `/docs/openapi.json` (for client generators).',
  'Errors answer `{ "statusCode", "code", "message" }`; `code` is one of the GraphQL API\'s: `BAD_USER_INPUT` (400, with `fields`), `UNAUTHENTICATED` (401), `FORBIDDEN` (403), `NOT_FOUND` (404: unknown, or not visible to the caller), `CONFLICT` (409), `PAYLOAD_TOO_LARGE` (413), `TOO_MANY_REQUESTS` (429, with `Retry-After`), `SERVICE_UNAVAILABLE` (503: retry later).',
  'GraphQL clients also meet `GRAPHQL_PARSE_FAILED`, `GRAPHQL_VALIDATION_FAILED` (query limits included) and `BAD_REQUEST` (a malformed request); GraphQL queries may be sent as `GET /graphql?query=…` with the `Authorization` header. Subscriptions: graphql-ws over WebSocket at `/graphql`; its close codes are listed in the README (1001 shutting down, 1013 retry, 4401 token expired, 4403 bad token, 4029 too many sockets, 4408 no connection_init in time, among others).',
].join('\n\n');

export function setupOpenApi(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Chat REST API')
      .setDescription(DESCRIPTION)
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
}
