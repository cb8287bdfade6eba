import { describe, expect, it } from 'vitest';
import { highlightPieces } from './highlight';

const marked = (text: string, ranges: { start: number; length: number }[]) =>
  highlightPieces(text, ranges)
    .map((p) => (p.marked ? `[${p.text}]` : p.text))
    .join('');

describe('highlightPieces', () => {
  it('marks the ranges, in any order, and keeps the text whole', () => {
    expect(
      marked('Lunch at noon, lunch?', [
        { start: 15, length: 5 },
        { start: 0, length: 5 },
      ]),
    ).toBe('[Lunch] at noon, [lunch]?');
    expect(marked('no match', [])).toBe('no match');
  });

  it('counts UTF-16 code units, as the server does (an emoji is two)', () => {
    expect(marked('🎉 Café time', [{ start: 3, length: 4 }])).toBe('🎉 [Café] time');
  });

  it('merges overlapping ranges and clips ranges past the end', () => {
    expect(
      marked('abcdef', [
        { start: 1, length: 3 },
        { start: 2, length: 3 },
      ]),
    ).toBe('a[bcde]f');
    expect(
      marked('abc', [
        { start: 2, length: 10 },
        { start: 7, length: 1 },
      ]),
    ).toBe('ab[c]');
  });
});
