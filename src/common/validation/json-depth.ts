/**
 * How deeply a JSON text nests, found by one pass over its characters before anything parses it.
 * JSON.parse itself copes with deep nesting, but everything after it (variable coercion,
 * class-transformer, the logger) walks the value recursively: 60,000 levels blocked the event
 * loop ~100 ms and ended in a RangeError 500. Nothing the API takes nests more than a few levels.
 */
export const MAX_JSON_DEPTH = 32;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** True when `json` (text or its UTF-8 bytes) opens more than `max` objects/arrays at once. */
export function jsonDepthExceeds(json: string | Uint8Array, max = MAX_JSON_DEPTH): boolean {
  const at =
    typeof json === 'string' ? (i: number) => json.charCodeAt(i) : (i: number) => json[i];
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = at(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > max) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}
