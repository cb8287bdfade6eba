/**
 * Opaque cursors: base64url of a JSON array tagged with what it points into, so a cursor from one
 * list is refused by another and a malformed one is a BAD_USER_INPUT, never a server error.
 */
import { BadUserInputError } from '../errors/domain-error.js';
import { hasControlCharacters } from '../validation/text.validators.js';

/** What Date.toISOString() writes; anything else is not one of our cursors. */
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** Key integers are PostgreSQL `integer` columns (seq): a larger one would fail in the query. */
const MAX_INT = 2 ** 31 - 1;

/** A real instant written as toISOString() writes it (not 2024-02-31 or 25:61). */
const isIsoTimestamp = (value: string): boolean => {
  if (!ISO_TIMESTAMP.test(value)) return false;
  const date = new Date(value);
  return !Number.isNaN(date.getTime()) && date.toISOString() === value;
};

export function encodeCursor(kind: string, ...key: (string | number)[]): string {
  return Buffer.from(JSON.stringify([kind, ...key])).toString('base64url');
}

/**
 * Decodes a cursor of the given kind whose key parts have the given types
 * ('string', 'int' for 0…2^31−1, or 'date' for an ISO timestamp of a real instant). A string part with a control character
 * (NUL would reach the database) is refused like any other forged cursor.
 */
export function decodeCursor<T extends (string | number)[]>(
  kind: string,
  cursor: string,
  shape: ('string' | 'int' | 'date')[],
): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed[0] !== kind || parsed.length !== shape.length + 1) {
    throw invalid();
  }
  const key = parsed.slice(1);
  shape.forEach((type, i) => {
    const value: unknown = key[i];
    const ok =
      type === 'int'
        ? Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_INT
        : typeof value === 'string' &&
          !hasControlCharacters(value) &&
          (type === 'string' || isIsoTimestamp(value));
    if (!ok) throw invalid();
  });
  return key as T;
}

function invalid(): BadUserInputError {
  return new BadUserInputError('Invalid cursor');
}
