import { buildSchema, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { describe, expect, it, vi } from 'vitest';
import { DocumentCache } from './document-cache.js';

const schema = buildSchema('type Query { a: Int, b: Int }');

function counting(maxEntries?: number, maxQueryLength?: number) {
  const parseSpy = vi.fn((s: Parameters<typeof parse>[0]) => parse(s));
  const validateSpy = vi.fn((s: GraphQLSchema, d: DocumentNode) => validate(s, d));
  return {
    cache: new DocumentCache(parseSpy, validateSpy, maxEntries, maxQueryLength),
    parseSpy,
    validateSpy,
  };
}

describe('DocumentCache', () => {
  it('parses and validates a valid text once', () => {
    const { cache, parseSpy, validateSpy } = counting();
    const first = cache.parse('{ a }');
    expect(cache.validate(schema, first)).toEqual([]);
    const second = cache.parse('{ a }');
    expect(second).toBe(first);
    expect(cache.validate(schema, second)).toEqual([]);
    expect(parseSpy).toHaveBeenCalledTimes(1);
    expect(validateSpy).toHaveBeenCalledTimes(1);
  });

  it('keeps no invalid document, and reports its errors every time', () => {
    const { cache, validateSpy } = counting();
    for (let i = 0; i < 2; i++) {
      const document = cache.parse('{ nope }');
      expect(cache.validate(schema, document)).toHaveLength(1);
    }
    expect(validateSpy).toHaveBeenCalledTimes(2);
    expect(cache.size).toBe(0);
  });

  it('throws syntax errors as parse does', () => {
    const { cache } = counting();
    expect(() => cache.parse('{ a')).toThrow(/Syntax Error/);
  });

  it('does not keep long texts', () => {
    const { cache, parseSpy } = counting(2, 10);
    const long = cache.parse('{ a b a b a b }');
    expect(cache.validate(schema, long)).toEqual([]);
    expect(cache.size).toBe(0);
    cache.parse('{ a b a b a b }');
    expect(parseSpy).toHaveBeenCalledTimes(2);
  });

  it('drops the oldest text when full, and keeps the newer ones', () => {
    const { cache, parseSpy } = counting(2, 10);
    for (const text of ['{ a }', '{ b }', '{ a b }']) cache.validate(schema, cache.parse(text));
    expect(cache.size).toBe(2);
    expect(parseSpy).toHaveBeenCalledTimes(3);
    // The two newest are served from the cache...
    cache.parse('{ b }');
    cache.parse('{ a b }');
    expect(parseSpy).toHaveBeenCalledTimes(3);
    // ...the oldest was evicted, so it is parsed again.
    cache.parse('{ a }');
    expect(parseSpy).toHaveBeenCalledTimes(4);
    expect(parseSpy).toHaveBeenLastCalledWith('{ a }');
  });

  it('validates again against another schema', () => {
    const { cache, validateSpy } = counting();
    const other = buildSchema('type Query { b: Int }');
    const document = cache.parse('{ a }');
    expect(cache.validate(schema, document)).toEqual([]);
    expect(cache.validate(other, document)).toHaveLength(1);
    expect(validateSpy).toHaveBeenCalledTimes(2);
  });
});
