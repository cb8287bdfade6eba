/**
 * Where a found message's text matched, as UTF-16 ranges of the text (what JavaScript, Swift's
 * NSString and Java index by). Computed on the returned text with the same folding the index
 * uses (lowercase, accents removed), so `cafe` highlights `Café` and `strasse` `Straße`:
 * whole words for words and phrases, every occurrence for substring terms. Excluded terms are
 * never highlighted.
 */
import type { SearchTerm } from './search-query.js';

export interface TextRange {
  start: number;
  length: number;
}

/** Letters unaccent maps that Unicode decomposition does not (ł, ø, ß, æ…). */
const EXTRA_FOLDS: Record<string, string> = {
  ł: 'l',
  ø: 'o',
  đ: 'd',
  ħ: 'h',
  ı: 'i',
  ŀ: 'l',
  ŧ: 't',
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  þ: 'th',
  ð: 'd',
  ĸ: 'k',
  ŉ: 'n',
  ſ: 's',
};
const COMBINING_MARK = /\p{M}/u;

/** The folded text, and for each of its UTF-16 units the source range it came from. */
interface Folded {
  text: string;
  from: number[];
  to: number[];
}

function fold(source: string): Folded {
  let text = '';
  const from: number[] = [];
  const to: number[] = [];
  let i = 0;
  for (const char of source) {
    const lower = char.toLowerCase();
    let out = '';
    for (const c of lower) {
      out +=
        EXTRA_FOLDS[c] ?? [...c.normalize('NFD')].filter((d) => !COMBINING_MARK.test(d)).join('');
    }
    for (let k = 0; k < out.length; k++) {
      from.push(i);
      to.push(i + char.length);
    }
    text += out;
    i += char.length;
  }
  return { text, from, to };
}

/** The folded form of a query term (no positions needed). */
const foldTerm = (term: string): string => fold(term).text;

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A term's pattern on folded text: its words in order, anything but letters and digits between. */
function patternOf(term: SearchTerm): RegExp | null {
  const folded = foldTerm(term.text);
  if (term.substring) return new RegExp(escapeRegExp(folded), 'gu');
  const words = folded.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  if (words.length === 0) return null;
  return new RegExp(
    `(?<![\\p{L}\\p{N}])${words.map(escapeRegExp).join('[^\\p{L}\\p{N}]+')}(?![\\p{L}\\p{N}])`,
    'gu',
  );
}

export function highlightsOf(text: string, terms: readonly SearchTerm[]): TextRange[] {
  const folded = fold(text);
  const spans: [number, number][] = [];
  for (const term of terms) {
    if (term.excluded) continue;
    const pattern = patternOf(term);
    if (!pattern) continue;
    for (const match of folded.text.matchAll(pattern)) {
      if (match[0].length === 0) continue;
      const first = match.index;
      const last = first + match[0].length - 1;
      spans.push([folded.from[first], folded.to[last]]);
    }
  }
  return merge(spans);
}

/** Sorted, overlapping or touching spans joined. */
function merge(spans: [number, number][]): TextRange[] {
  spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: TextRange[] = [];
  let current: [number, number] | null = null;
  for (const span of spans) {
    if (current && span[0] <= current[1]) current[1] = Math.max(current[1], span[1]);
    else {
      if (current) out.push({ start: current[0], length: current[1] - current[0] });
      current = [...span];
    }
  }
  if (current) out.push({ start: current[0], length: current[1] - current[0] });
  return out;
}
