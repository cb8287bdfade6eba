/**
 * The schema is a contract: the committed schema.gql must be what the code generates, and every
 * operation client teams write (test/contract/operations.graphql, a copy of the shared contract)
 * must validate against it.
 */
import { GraphQLSchemaHost } from '@nestjs/graphql';
import {
  buildSchema,
  lexicographicSortSchema,
  parse,
  printSchema,
  validate,
  visit,
  Kind,
  GraphQLError,
  type DefinitionNode,
  type FragmentDefinitionNode,
} from 'graphql';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useApp } from '../support/fixtures.js';

const SCHEMA_HEADER =
  '# ------------------------------------------------------\n# THIS FILE WAS AUTOMATICALLY GENERATED (DO NOT MODIFY)\n# ------------------------------------------------------\n\n';
const CONTRACT_COPY = 'test/contract/operations.graphql';
const SHARED_CONTRACT = '../shared/contract/operations.graphql';

const { app } = useApp();

describe('schema.gql', () => {
  it('is exactly what the code generates (start the app in development to regenerate it)', () => {
    const schema = app.app.get(GraphQLSchemaHost).schema;
    const generated = SCHEMA_HEADER + printSchema(lexicographicSortSchema(schema));
    expect(readFileSync('schema.gql', 'utf8')).toBe(generated);
  });
});

describe('the API contract', () => {
  // A clone outside the workspace has only the copy: the comparison is skipped, and says so.
  it.skipIf(!existsSync(SHARED_CONTRACT))(
    'keeps the copy in test/contract identical to the shared contract',
    () => {
      expect(readFileSync(CONTRACT_COPY, 'utf8')).toBe(readFileSync(SHARED_CONTRACT, 'utf8'));
    },
  );

  const document = parse(readFileSync(CONTRACT_COPY, 'utf8'));
  const fragments = new Map(
    document.definitions.flatMap((d) =>
      d.kind === 'FragmentDefinition' ? [[d.name.value, d] as const] : [],
    ),
  );
  /** The fragments a definition spreads, directly or through other fragments. */
  const fragmentsOf = (
    node: DefinitionNode,
    seen = new Set<string>(),
  ): FragmentDefinitionNode[] => {
    visit(node, {
      FragmentSpread(spread) {
        if (seen.has(spread.name.value)) return;
        seen.add(spread.name.value);
        fragmentsOf(fragments.get(spread.name.value)!, seen);
      },
    });
    return [...seen].map((name) => fragments.get(name)!);
  };
  const operations = document.definitions.flatMap((d) =>
    d.kind === 'OperationDefinition' && d.name ? [d] : [],
  );

  it('has operations to check', () => {
    expect(operations.length).toBeGreaterThan(15);
  });

  it.each(operations.map((op) => [op.name!.value, op] as const))(
    '%s validates against schema.gql',
    (_name, operation) => {
      const schema = buildSchema(readFileSync('schema.gql', 'utf8'));
      const errors = [
        ...validate(schema, {
          kind: Kind.DOCUMENT,
          definitions: [operation, ...fragmentsOf(operation)],
        }),
      ];
      // validate() says nothing when the schema lacks the operation's root type altogether.
      if (!schema.getRootType(operation.operation)) {
        errors.push(new GraphQLError(`The schema has no ${operation.operation} type`));
      }
      expect(errors.map((e) => e.message)).toEqual([]);
    },
  );
});
