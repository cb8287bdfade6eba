import { describe, expect, it } from 'vitest';
import { parseRange } from './byte-range.js';

describe('parseRange (a 100-byte file)', () => {
  it.each([
    ['bytes=0-9', 0, 9],
    ['bytes=90-', 90, 99],
    ['bytes=-10', 90, 99],
    ['bytes=-500', 0, 99],
    ['bytes=95-200', 95, 99],
    [' bytes=5-5 ', 5, 5],
  ])('%j is bytes %i-%i', (header, start, end) => {
    expect(parseRange(header, 100)).toEqual({ kind: 'partial', range: { start, end } });
  });

  it.each([
    undefined,
    '',
    'bytes=',
    'bytes=-',
    'bytes=5-2',
    'items=0-5',
    'bytes=0-1,5-6',
    'bytes=a-b',
  ])('%j means the whole file', (header) => {
    expect(parseRange(header, 100)).toEqual({ kind: 'whole' });
  });

  it.each(['bytes=100-', 'bytes=100-200', 'bytes=-0', 'bytes=99999999999999999999-'])(
    '%j cannot be satisfied',
    (header) => {
      expect(parseRange(header, 100)).toEqual({ kind: 'unsatisfiable' });
    },
  );
});
