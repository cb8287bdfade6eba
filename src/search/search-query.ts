/**
 * A search query as the contract reads it: words (whole words, any order), `"phrases"`,
 * `-exclusions` (of a word or a phrase), and text in scripts written without spaces, which
 * matches by substring. Words and phrases become one websearch_to_tsquery string in which every
 * term is quoted, so nothing a user types is ever read as an operator (`or`, `&`, `:*`…);
 * substrings become LIKE patterns with their wildcards escaped. Pure: no SQL here.
 */

/** Scripts written without spaces between words: whole-word matching cannot work for them. */
const NO_SPACE_SCRIPT =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}\p{Script=Tibetan}]/u;
/** A term without a letter or digit has no word PostgreSQL would index: it matches nothing. */
const HAS_WORD = /[\p{L}\p{N}]/u;

export interface SearchTerm {
  /** The term as typed, quotes and leading `-` removed, inner whitespace collapsed. */
  text: string;
  /** Matched by substring (a script without spaces) rather than as whole words. */
  substring: boolean;
  excluded: boolean;
}

export interface ParsedSearch {
  terms: SearchTerm[];
  /** For websearch_to_tsquery('simple', chat_fold(…)); null when no term is a word or phrase. */
  websearch: string | null;
  /** LIKE patterns (on the folded text) that must match / must not match. */
  substrings: string[];
  excludedSubstrings: string[];
  /** False when nothing could match: no term to look for, only exclusions. */
  searchable: boolean;
}

export function parseSearch(query: string): ParsedSearch {
  const terms = tokenize(query);
  const words = terms.filter((t) => !t.substring);
  const websearch = words.length
    ? words.map((t) => `${t.excluded ? '-' : ''}"${t.text}"`).join(' ')
    : null;
  const substrings = terms.filter((t) => t.substring && !t.excluded).map((t) => likePattern(t));
  const excludedSubstrings = terms
    .filter((t) => t.substring && t.excluded)
    .map((t) => likePattern(t));
  return {
    terms,
    websearch,
    substrings,
    excludedSubstrings,
    searchable: terms.some((t) => !t.excluded),
  };
}

/** Splits on whitespace, keeping `"quoted phrases"` whole; a `-` in front excludes. */
function tokenize(query: string): SearchTerm[] {
  const terms: SearchTerm[] = [];
  let i = 0;
  while (i < query.length) {
    while (i < query.length && /\s/u.test(query[i])) i++;
    if (i >= query.length) break;
    let excluded = false;
    if (query[i] === '-' && i + 1 < query.length && !/\s/u.test(query[i + 1])) {
      excluded = true;
      i++;
    }
    let raw: string;
    if (query[i] === '"') {
      const end = query.indexOf('"', i + 1);
      raw = query.slice(i + 1, end === -1 ? query.length : end);
      i = end === -1 ? query.length : end + 1;
    } else {
      const start = i;
      while (i < query.length && query[i] !== '"' && !/\s/u.test(query[i])) i++;
      raw = query.slice(start, i);
    }
    const text = raw.trim().replace(/\s+/gu, ' ');
    if (!HAS_WORD.test(text)) continue;
    terms.push({ text, substring: NO_SPACE_SCRIPT.test(text), excluded });
  }
  return terms;
}

/** `%term%` with LIKE's own wildcards and escape character taken literally. */
function likePattern(term: SearchTerm): string {
  return `%${term.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
