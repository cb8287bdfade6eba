import { describe, it, expect } from 'vitest';
import { BadUserInputError } from '../errors/domain-error.js';
import { decodeCursor, encodeCursor } from './cursor.js';

const raw = (value: string) => Buffer.from(value).toString('base64url');

function expectInvalid(decode: () => unknown): void {
  let caught: unknown;
  try {
    decode();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(BadUserInputError);
  expect((caught as BadUserInputError).code).toBe('BAD_USER_INPUT');
  expect((caught as BadUserInputError).message).toBe('Invalid cursor');
}

describe('cursors', () => {
  it('round-trips a key of strings, ints and dates', () => {
    const at = '2024-05-01T12:34:56.789Z';
    const cursor = encodeCursor('message', at, 42, 'abc');
    expect(decodeCursor('message', cursor, ['date', 'int', 'string'])).toEqual([at, 42, 'abc']);
  });

  it('is opaque, URL-safe text', () => {
    const cursor = encodeCursor('message', '??>>', 1);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('round-trips a kind with no key parts', () => {
    expect(decodeCursor('empty', encodeCursor('empty'), [])).toEqual([]);
  });

  it('refuses a cursor of another kind', () => {
    const cursor = encodeCursor('conversation', 'id-1');
    expectInvalid(() => decodeCursor('message', cursor, ['string']));
  });

  it.each([
    ['not base64 at all', '!!!***'],
    ['base64 of non-JSON', raw('not json')],
    ['an empty string', ''],
    ['a JSON object', raw('{"kind":"message"}')],
    ['a JSON string', raw('"message"')],
    ['JSON null', raw('null')],
  ])('refuses %s', (_label, cursor) => {
    expectInvalid(() => decodeCursor('message', cursor, ['string']));
  });

  it('refuses too few key parts', () => {
    expectInvalid(() => decodeCursor('message', encodeCursor('message', 'a'), ['string', 'int']));
  });

  it('refuses too many key parts', () => {
    expectInvalid(() => decodeCursor('message', encodeCursor('message', 'a', 1), ['string']));
  });

  it("refuses a string where an 'int' is expected", () => {
    expectInvalid(() => decodeCursor('message', encodeCursor('message', '42'), ['int']));
  });

  it("refuses a float where an 'int' is expected", () => {
    expectInvalid(() => decodeCursor('message', encodeCursor('message', 4.5), ['int']));
  });

  it("refuses an unsafe integer where an 'int' is expected", () => {
    expectInvalid(() => decodeCursor('message', raw('["message",1e20]'), ['int']));
  });

  it("refuses a non-date string where a 'date' is expected", () => {
    expectInvalid(() => decodeCursor('message', encodeCursor('message', 'yesterday'), ['date']));
  });

  it("refuses a non-ISO string that Date.parse accepts, such as 'foo 12', as a 'date'", () => {
    for (const text of ['foo 12', '1', 'May 1']) {
      expectInvalid(() => decodeCursor('message', encodeCursor('message', text), ['date']));
    }
  });

  it("refuses a number where a 'date' is expected", () => {
    expectInvalid(() => decodeCursor('message', encodeCursor('message', 1714566896789), ['date']));
  });

  it("refuses a number where a 'string' is expected", () => {
    expectInvalid(() => decodeCursor('message', encodeCursor('message', 7), ['string']));
  });

  it('refuses null and nested values in a key', () => {
    expectInvalid(() => decodeCursor('message', raw('["message",null]'), ['string']));
    expectInvalid(() => decodeCursor('message', raw('["message",["a"]]'), ['string']));
  });

  it('refuses a string part holding NUL or another control character', () => {
    for (const text of ['a\u0000b', 'a\u001bb', '\u007f']) {
      expectInvalid(() => decodeCursor('user', encodeCursor('user', text), ['string']));
    }
  });

  it("refuses an 'int' outside a PostgreSQL integer, or negative", () => {
    for (const n of [
      3_000_000_000,
      2 ** 31,
      Number.MAX_SAFE_INTEGER,
      -Number.MAX_SAFE_INTEGER,
      -1,
    ]) {
      expectInvalid(() => decodeCursor('message', encodeCursor('message', n), ['int']));
    }
    expect(decodeCursor('message', encodeCursor('message', 2 ** 31 - 1), ['int'])).toEqual([
      2 ** 31 - 1,
    ]);
  });

  it("refuses a 'date' that is no real instant", () => {
    for (const text of [
      '2024-02-31T25:61:61.000Z',
      '2024-02-30T00:00:00.000Z',
      '2024-13-01T00:00:00.000Z',
    ]) {
      expectInvalid(() => decodeCursor('message', encodeCursor('message', text), ['date']));
    }
  });
});
