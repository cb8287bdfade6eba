/**
 * Limits on what one GraphQL document may ask, enforced before anything executes, over HTTP and
 * WebSocket alike: size in tokens (at parse), depth, aliases, directives and an overall cost
 * (graphql-armor validation rules). The contract's deepest operation has depth 6 and costs far
 * below the limit; hostile documents are refused with GRAPHQL_VALIDATION_FAILED.
 */
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type Source,
  type GraphQLError,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

export const QUERY_LIMITS = {
  maxTokens: 2000,
  maxDepth: 10,
  maxAliases: 15,
  maxDirectives: 20,
  maxCost: 5000,
};

/** Report a breach as an ordinary validation error (armor's default throws, which is a 500). */
const asValidationError = {
  propagateOnRejection: false,
  onReject: [
    (context: ValidationContext | null, error: GraphQLError) => context?.reportError(error),
  ],
};

export const limitRules: ValidationRule[] = [
  maxDepthRule({ n: QUERY_LIMITS.maxDepth, ignoreIntrospection: false, ...asValidationError }),
  maxAliasesRule({ n: QUERY_LIMITS.maxAliases, ...asValidationError }),
  maxDirectivesRule({ n: QUERY_LIMITS.maxDirectives, ...asValidationError }),
  costLimitRule({ maxCost: QUERY_LIMITS.maxCost, ...asValidationError }),
] as ValidationRule[];

/** graphql-js refuses documents of more tokens than this while parsing (before building an AST). */
export const parseOptions = { maxTokens: QUERY_LIMITS.maxTokens };

/** For the WebSocket server, which parses and validates documents itself. */
export const parseLimited = (source: string | Source): DocumentNode => parse(source, parseOptions);
export const validateLimited = (schema: GraphQLSchema, document: DocumentNode) =>
  validate(schema, document, [...specifiedRules, ...limitRules]);
