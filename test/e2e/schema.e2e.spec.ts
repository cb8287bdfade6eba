/**
 * The schema is a contract: the committed schema.gql must be what the code generates, every
 * operation client teams write (test/contract/operations.graphql, a copy of the shared contract)
 * must validate against it, and so must every operation of the first published contract
 * (operations-v1.graphql: clients built on it are in the field), always.
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
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
} from 'graphql';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { queryLimitRules } from '../../src/graphql/query-limits.js';
import { useApp } from '../support/fixtures.js';

const SCHEMA_HEADER =
  '# ------------------------------------------------------\n# THIS FILE WAS AUTOMATICALLY GENERATED (DO NOT MODIFY)\n# ------------------------------------------------------\n\n';
const CONTRACT_DIR = 'test/contract';
const SHARED_CONTRACT_DIR = '../shared/contract';
const CONTRACT_FILES = ['operations.graphql', 'operations-v1.graphql', 'README.md'];

/**
 * Operations of the current contract whose issue has not landed yet: each is checked to still
 * fail (so the list shrinks as the work lands, and nothing is listed that is already served).
 */
const NOT_SERVED_YET = new Set<string>([]);

const { app } = useApp();

describe('schema.gql', () => {
  it('is exactly what the code generates (start the app in development to regenerate it)', () => {
    const schema = app.app.get(GraphQLSchemaHost).schema;
    const generated = SCHEMA_HEADER + printSchema(lexicographicSortSchema(schema));
    expect(readFileSync('schema.gql', 'utf8')).toBe(generated);
  });
});

describe('the API contract', () => {
  // test/contract is the copy every clone has and every check below reads; where the shared
  // contract is present too (the workspace), the copy must equal it.
  it.each(CONTRACT_FILES)(
    'test/contract/%s is the shared contract, when that is present',
    (file) => {
      const shared = `${SHARED_CONTRACT_DIR}/${file}`;
      const copy = readFileSync(`${CONTRACT_DIR}/${file}`, 'utf8');
      expect(copy.length).toBeGreaterThan(0);
      if (existsSync(shared)) expect(copy).toBe(readFileSync(shared, 'utf8'));
    },
  );

  const schema = buildSchema(readFileSync('schema.gql', 'utf8'));
  const current = operationsOf(`${CONTRACT_DIR}/operations.graphql`);
  const v1 = operationsOf(`${CONTRACT_DIR}/operations-v1.graphql`);

  it('has operations to check', () => {
    expect(current.length).toBeGreaterThan(40);
    expect(v1.length).toBeGreaterThan(15);
  });

  it('lists as not served yet only operations of the contract', () => {
    const names = new Set(current.map(([name]) => name));
    expect([...NOT_SERVED_YET].filter((name) => !names.has(name))).toEqual([]);
  });

  it.each(v1)('v1 %s validates against schema.gql', (_name, operation) => {
    expect(validationErrors(schema, operation)).toEqual([]);
  });

  it.each(current.filter(([name]) => !NOT_SERVED_YET.has(name)))(
    '%s validates against schema.gql',
    (_name, operation) => {
      expect(validationErrors(schema, operation)).toEqual([]);
    },
  );

  // Depth and cost are refused before anything runs: what client teams write must pass them.
  it.each([...current, ...v1].filter(([name]) => !NOT_SERVED_YET.has(name)))(
    '%s passes the query limits',
    (_name, operation) => {
      expect(
        validate(schema, operation.document, queryLimitRules({ introspection: false })).map(
          (e) => e.message,
        ),
      ).toEqual([]);
    },
  );

  it.each(current.filter(([name]) => NOT_SERVED_YET.has(name)))(
    '%s is not served yet (take it off the list once it validates)',
    (_name, operation) => {
      expect(validationErrors(schema, operation)).not.toEqual([]);
    },
  );
});

type NamedOperation = readonly [string, { document: DocumentNode }];

/** Each named operation of a file, as a document with the fragments it spreads. */
function operationsOf(file: string): NamedOperation[] {
  const document = parse(readFileSync(file, 'utf8'));
  const fragments = new Map(
    document.definitions.flatMap((d) =>
      d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [],
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
  return document.definitions.flatMap((d) =>
    d.kind === Kind.OPERATION_DEFINITION && d.name
      ? [
          [
            d.name.value,
            { document: { kind: Kind.DOCUMENT, definitions: [d, ...fragmentsOf(d)] } },
          ] as const,
        ]
      : [],
  );
}

function validationErrors(schema: GraphQLSchema, { document }: { document: DocumentNode }) {
  const errors = [...validate(schema, document)];
  const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  // validate() says nothing when the schema lacks the operation's root type altogether.
  if (operation && !schema.getRootType(operation.operation)) {
    errors.push(new GraphQLError(`The schema has no ${operation.operation} type`));
  }
  return errors.map((e) => e.message);
}
