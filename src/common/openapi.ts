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

export function setupOpenApi(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Chat REST API')
      .setDescription(
        "The original design's REST endpoints, over the same services and rules as the GraphQL API at /graphql. Every call needs `Authorization: Bearer <accessToken>` (from the GraphQL `login` or `register` mutations).",
      )
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
}
