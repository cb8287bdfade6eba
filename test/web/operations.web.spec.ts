/**
 * The web client's operations are the contract's: each one has the name of a contract
 * operation and selects only fields that operation selects (with the contract's variable
 * types), so a later phase only adds fields. And they validate against the served schema.
 */
import {
  Kind,
  buildSchema,
  parse,
  print,
  validate,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const web = parse(readFileSync('web/src/graphql/operations.graphql', 'utf8'));
const contract = parse(readFileSync('test/contract/operations.graphql', 'utf8'));

function definitions(doc: DocumentNode) {
  const operations = new Map<string, OperationDefinitionNode>();
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of doc.definitions) {
    if (d.kind === Kind.OPERATION_DEFINITION && d.name) operations.set(d.name.value, d);
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  }
  return { operations, fragments };
}

/** Every field path a selection reaches, fragments spread in place. */
function fieldPaths(
  set: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  prefix = '',
  out = new Set<string>(),
): Set<string> {
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) {
      const path = `${prefix}${s.alias?.value ?? s.name.value}`;
      out.add(path);
      if (s.selectionSet) fieldPaths(s.selectionSet, fragments, `${path}.`, out);
    } else if (s.kind === Kind.INLINE_FRAGMENT) {
      fieldPaths(s.selectionSet, fragments, `${prefix}on ${s.typeCondition?.name.value}:`, out);
    } else {
      fieldPaths(fragments.get(s.name.value)!.selectionSet, fragments, prefix, out);
    }
  }
  return out;
}

const ours = definitions(web);
const theirs = definitions(contract);

describe('the web client operations', () => {
  it('validate against schema.gql', () => {
    const schema = buildSchema(readFileSync('schema.gql', 'utf8'));
    expect(validate(schema, web).map((e) => e.message)).toEqual([]);
  });

  for (const [name, operation] of ours.operations) {
    it(`${name} is the contract's ${name}, cut to what is served today`, () => {
      const original = theirs.operations.get(name);
      expect(original, `no ${name} in the contract`).toBeDefined();
      expect(operation.operation).toBe(original!.operation);
      const types = new Map(
        original!.variableDefinitions?.map((v) => [v.variable.name.value, print(v.type)]),
      );
      for (const v of operation.variableDefinitions ?? [])
        expect(print(v.type), `$${v.variable.name.value}`).toBe(types.get(v.variable.name.value));
      const allowed = fieldPaths(original!.selectionSet, theirs.fragments);
      const extra = [...fieldPaths(operation.selectionSet, ours.fragments)].filter(
        (path) => !allowed.has(path),
      );
      expect(extra).toEqual([]);
    });
  }

  it('name their fragments as the contract does', () => {
    expect([...ours.fragments.keys()].filter((name) => !theirs.fragments.has(name))).toEqual([]);
  });
});
