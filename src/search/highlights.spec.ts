import { describe, expect, it } from 'vitest';
import { highlightsOf } from './highlights.js';
import { parseSearch } from './search-query.js';

const ranges = (text: string, query: string) => highlightsOf(text, parseSearch(query).terms);
const shown = (text: string, query: string) =>
  ranges(text, query).map((r) => text.slice(r.start, r.start + r.length));

describe('parseSearch', () => {
  it('quotes every word and phrase for websearch_to_tsquery, so nothing is an operator', () => {
    expect(parseSearch('cats or dogs').websearch).toBe('"cats" "or" "dogs"');
    expect(parseSearch('"red car" -blue').websearch).toBe('"red car" -"blue"');
    expect(parseSearch('a:* & (b | !c)').websearch).toBe('"a:*" "(b" "!c)"');
  });

  it('sends scripts without spaces to substring patterns, LIKE wildcards escaped', () => {
    const parsed = parseSearch('東京 -大阪 100%_off');
    expect(parsed.substrings).toEqual(['%東京%']);
    expect(parsed.excludedSubstrings).toEqual(['%大阪%']);
    expect(parsed.websearch).toBe('"100%_off"');
    expect(parseSearch('日本\\%').substrings).toEqual(['%日本\\\\\\%%']);
  });

  it('finds nothing to look for in punctuation only or exclusions only', () => {
    expect(parseSearch('!!! "" -').searchable).toBe(false);
    expect(parseSearch('-spam').searchable).toBe(false);
    expect(parseSearch('"unclosed phrase').terms).toEqual([
      { text: 'unclosed phrase', substring: false, excluded: false },
    ]);
  });
});

describe('highlightsOf', () => {
  it('marks whole words only, case- and accent-insensitively', () => {
    expect(shown('Café CAFE cafeteria café.', 'cafe')).toEqual(['Café', 'CAFE', 'café']);
    expect(shown('Straße in Łódź', 'strasse lodz')).toEqual(['Straße', 'Łódź']);
  });

  it('marks phrases as one range and never excluded words', () => {
    expect(ranges('the red car, not the red-car', '"red car" -not')).toEqual([
      { start: 4, length: 7 },
      { start: 21, length: 7 },
    ]);
  });

  it('counts UTF-16 units: astral characters before a match shift it by two', () => {
    const text = '😀 naïve 𝒳 NAÏVE';
    expect(ranges(text, 'naive')).toEqual([
      { start: 3, length: 5 },
      { start: 12, length: 5 },
    ]);
  });

  it('marks every substring occurrence in scripts without spaces', () => {
    expect(ranges('東京タワーと東京駅', '東京')).toEqual([
      { start: 0, length: 2 },
      { start: 6, length: 2 },
    ]);
    expect(shown('我喜欢北京烤鸭', '北京烤鸭')).toEqual(['北京烤鸭']);
  });

  it('merges overlapping matches', () => {
    expect(ranges('東京都', '東京 京都')).toEqual([{ start: 0, length: 3 }]);
  });
});
