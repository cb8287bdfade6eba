import { describe, it, expect } from 'vitest';
import { BadUserInputError } from '../errors/domain-error.js';
import { DEFAULT_PAGE_SIZE, toPageRequest } from './pagination.args.js';

describe('toPageRequest', () => {
  it('refuses first and last together', () => {
    expect(() => toPageRequest({ first: 10, last: 10 })).toThrow(BadUserInputError);
    expect(() => toPageRequest({ first: 0, last: 0 })).toThrow(BadUserInputError);
  });

  it('defaults to 50 rows', () => {
    expect(DEFAULT_PAGE_SIZE).toBe(50);
    expect(toPageRequest({}).limit).toBe(50);
    expect(toPageRequest({ after: 'c' }).limit).toBe(50);
    expect(toPageRequest({ before: 'c' }).limit).toBe(50);
  });

  it('with nothing, pages backward from the newest rows', () => {
    expect(toPageRequest({})).toEqual({
      direction: 'backward',
      limit: 50,
      after: undefined,
      before: undefined,
    });
  });

  it('treats null arguments (GraphQL nulls) as absent', () => {
    const args = { first: null, last: null, after: null, before: null } as unknown as Parameters<
      typeof toPageRequest
    >[0];
    expect(toPageRequest(args)).toEqual({
      direction: 'backward',
      limit: 50,
      after: undefined,
      before: undefined,
    });
  });

  it('last pages backward with that many rows', () => {
    expect(toPageRequest({ last: 20 })).toMatchObject({ direction: 'backward', limit: 20 });
    expect(toPageRequest({ last: 20, before: 'c' })).toMatchObject({
      direction: 'backward',
      limit: 20,
      before: 'c',
    });
  });

  it('last wins over after', () => {
    expect(toPageRequest({ last: 5, after: 'c' })).toMatchObject({
      direction: 'backward',
      limit: 5,
      after: 'c',
    });
  });

  it('first pages forward with that many rows', () => {
    expect(toPageRequest({ first: 10 })).toMatchObject({ direction: 'forward', limit: 10 });
  });

  it('first: 0 is a forward page of zero rows, not the default', () => {
    expect(toPageRequest({ first: 0 })).toMatchObject({ direction: 'forward', limit: 0 });
    expect(toPageRequest({ last: 0 })).toMatchObject({ direction: 'backward', limit: 0 });
  });

  it('after alone pages forward with the default size', () => {
    expect(toPageRequest({ after: 'c' })).toEqual({
      direction: 'forward',
      limit: 50,
      after: 'c',
      before: undefined,
    });
  });

  it('first with after pages forward from the cursor', () => {
    expect(toPageRequest({ first: 3, after: 'c' })).toEqual({
      direction: 'forward',
      limit: 3,
      after: 'c',
      before: undefined,
    });
  });

  it('before alone pages backward with the default size', () => {
    expect(toPageRequest({ before: 'c' })).toEqual({
      direction: 'backward',
      limit: 50,
      after: undefined,
      before: 'c',
    });
  });
});
