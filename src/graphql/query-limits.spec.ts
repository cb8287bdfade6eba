import { buildSchema, getIntrospectionQuery, parse, specifiedRules, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { queryLimitRules } from './query-limits.js';

const schema = buildSchema(`
  type Query { me: Node }
  type Node { id: ID! fields: [Node!]! parent: Node }
`);

const errorsOf = (query: string, introspection: boolean) =>
  validate(schema, parse(query), [...specifiedRules, ...queryLimitRules({ introspection })]).map(
    (e) => e.message,
  );

/** What GraphiQL 5 asks for (every option graphql-js offers). */
const FULL_INTROSPECTION = getIntrospectionQuery({
  descriptions: true,
  specifiedByUrl: true,
  directiveIsRepeatable: true,
  schemaDescription: true,
  inputValueDeprecation: true,
  oneOf: true,
});

describe('query limits', () => {
  it('let the standard introspection queries through where introspection is allowed', () => {
    expect(errorsOf(getIntrospectionQuery(), true)).toEqual([]);
    expect(errorsOf(FULL_INTROSPECTION, true)).toEqual([]);
  });

  it('count introspection in the depth where it is not allowed', () => {
    expect(errorsOf(getIntrospectionQuery(), false)).toEqual([
      expect.stringMatching(/depth limit of 12 exceeded/),
    ]);
  });

  it('keep the depth limit for everything outside __schema', () => {
    const deep = `{ me { ${'parent { '.repeat(12)}id${' }'.repeat(12)} } }`;
    expect(errorsOf(deep, true)).toEqual([expect.stringMatching(/depth limit/)]);
    const within = `{ me { ${'parent { '.repeat(10)}id${' }'.repeat(10)} } }`;
    expect(errorsOf(within, true)).toEqual([]);
  });

  it('refuse introspection that asks for the same list twice: nested, aliased or by fragment', () => {
    const nested = '{ __schema { types { fields { type { fields { name } } } } } }';
    expect(errorsOf(nested, true)).toEqual([expect.stringMatching(/repeats fields$/)]);
    const aliased = '{ __schema { a: types { name } b: types { name } } }';
    expect(errorsOf(aliased, true)).toEqual([expect.stringMatching(/repeats types$/)]);
    const spread = `{ __schema { types { ...T } } }
      fragment T on __Type { fields { name } ...U }
      fragment U on __Type { ofType { fields { name } } }`;
    expect(errorsOf(spread, true)).toEqual([expect.stringMatching(/repeats fields$/)]);
    const twice = '{ a: __type(name: "Node") { name } b: __type(name: "Query") { name } }';
    expect(errorsOf(twice, true)).toEqual([expect.stringMatching(/repeats __type$/)]);
  });

  it("count nothing outside introspection (the schema's own fields named like those lists)", () => {
    expect(errorsOf('{ me { fields { fields { id } } } }', true)).toEqual([]);
  });

  it('check a document of fragments spread over and over without expanding it', () => {
    // 2^60 expanded paths if each spread were walked again: the test would never end.
    const fragments = Array.from(
      { length: 60 },
      (_, i) => `fragment F${i} on __Type { name ...F${i + 1} ...F${i + 1} }`,
    ).join('\n');
    const query = `{ __type(name: "Node") { ...F0 } }\n${fragments}\nfragment F60 on __Type { fields { name } }`;
    // (Depth and cost object too, as they should.)
    expect(errorsOf(query, true)).toContainEqual(expect.stringMatching(/repeats fields$/));
  });
});
