/**
 * Limits on what one GraphQL document may ask, enforced before anything executes, over HTTP and
 * WebSocket alike: size in tokens (at parse), depth, aliases, directives and an overall cost
 * (graphql-armor validation rules), and introspection in good faith. The contract's deepest
 * operation has depth 12 and costs far below the limit; hostile documents are refused with
 * GRAPHQL_VALIDATION_FAILED. Where introspection is allowed (outside production) the standard
 * introspection query (depth 21) passes: explorers, codegen and IDE plugins need it; elsewhere
 * introspection is refused. `validationRules` is the one list both transports use.
 */
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  GraphQLError,
  Kind,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  type ASTVisitor,
  type DocumentNode,
  type GraphQLSchema,
  type SelectionSetNode,
  type Source,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

export const QUERY_LIMITS = {
  maxTokens: 2000,
  // The contract's deepest operation (ConversationChanges: a page of events, a message, its
  // reply's sender) has depth 12.
  maxDepth: 12,
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

/**
 * Fields of introspection that may appear once per operation (fragments expanded, aliases
 * counted): each one again, nested or beside itself, multiplies the answer (`fields { type {
 * fields { … } } }` asks for millions of objects in a few hundred bytes). graphql-java calls this
 * "good faith introspection"; the standard introspection query asks for each exactly once.
 */
const ONCE_IN_INTROSPECTION = new Set([
  'types',
  'fields',
  'inputFields',
  'interfaces',
  'possibleTypes',
  'enumValues',
  'directives',
]);
const INTROSPECTION_ROOTS = new Set(['__schema', '__type']);

export const goodFaithIntrospectionRule: ValidationRule = (context): ASTVisitor => {
  // "inside:fragment" → how often each counted field occurs beneath it (a fragment may be
  // spread many times: counted once, multiplied by its spreads).
  const fragments = new Map<string, Map<string, number>>();
  const add = (into: Map<string, number>, from: Map<string, number>, times = 1) => {
    for (const [name, n] of from) into.set(name, (into.get(name) ?? 0) + n * times);
  };
  const count = (selectionSet: SelectionSetNode, inside: boolean): Map<string, number> => {
    const counts = new Map<string, number>();
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        const root = INTROSPECTION_ROOTS.has(name);
        if (root || (inside && ONCE_IN_INTROSPECTION.has(name)))
          counts.set(name, (counts.get(name) ?? 0) + 1);
        if (selection.selectionSet) add(counts, count(selection.selectionSet, inside || root));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        add(counts, count(selection.selectionSet, inside));
      } else {
        const key = `${inside}:${selection.name.value}`;
        let inner = fragments.get(key);
        if (!inner) {
          fragments.set(key, new Map()); // a cycle counts nothing (NoFragmentCycles reports it)
          const fragment = context.getFragment(selection.name.value);
          inner = fragment ? count(fragment.selectionSet, inside) : new Map<string, number>();
          fragments.set(key, inner);
        }
        add(counts, inner);
      }
    }
    return counts;
  };
  return {
    OperationDefinition(operation) {
      const repeated = [...count(operation.selectionSet, false)].filter(([, n]) => n > 1);
      if (repeated.length === 0) return;
      const names = repeated.map(([name]) => name).join(', ');
      context.reportError(
        new GraphQLError(
          `Introspection may ask for each of __schema, __type, ${[...ONCE_IN_INTROSPECTION].join(', ')} once per operation; this one repeats ${names}`,
          { nodes: operation },
        ),
      );
    },
  };
};

/**
 * The limit rules. With `introspection` (where the schema may be introspected) the depth limit
 * skips `__schema`, whose standard query is 21 deep; the good-faith rule bounds it instead. The
 * cost limit never counts `__schema` (graphql-armor's default), and the standard query has no
 * aliases or directives.
 */
export function queryLimitRules(options: { introspection: boolean }): ValidationRule[] {
  return [
    maxDepthRule({
      n: QUERY_LIMITS.maxDepth,
      ignoreIntrospection: options.introspection,
      ...asValidationError,
    }),
    maxAliasesRule({ n: QUERY_LIMITS.maxAliases, ...asValidationError }),
    maxDirectivesRule({ n: QUERY_LIMITS.maxDirectives, ...asValidationError }),
    costLimitRule({ maxCost: QUERY_LIMITS.maxCost, ...asValidationError }),
    goodFaithIntrospectionRule,
  ] as ValidationRule[];
}

/**
 * The one rule list both transports validate with (Apollo for HTTP, the WebSocket admission):
 * the limits, and where introspection is not allowed, a refusal of `__schema` and `__type`.
 */
export function validationRules(options: { introspection: boolean }): ValidationRule[] {
  return [
    ...queryLimitRules(options),
    ...(options.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
  ];
}

/** graphql-js refuses documents of more tokens than this while parsing (before building an AST). */
export const parseOptions = { maxTokens: QUERY_LIMITS.maxTokens };

/** For the WebSocket server, which parses and validates documents itself. */
export const parseLimited = (source: string | Source): DocumentNode => parse(source, parseOptions);

/** A validate function with graphql's own rules and `validationRules(options)`. */
export function validatorFor(options: { introspection: boolean }) {
  const rules = [...specifiedRules, ...validationRules(options)];
  return (schema: GraphQLSchema, document: DocumentNode) => validate(schema, document, rules);
}
