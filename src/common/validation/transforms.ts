/** Input normalisations applied before validation, for `@Transform(...)` on input classes. */
import type { TransformFnParams } from 'class-transformer';

/** Surrounding whitespace removed (a non-string is left for the validators to refuse). */
export const trim = ({ value }: TransformFnParams): unknown =>
  typeof value === 'string' ? value.trim() : value;

/** Trimmed and lower-cased: for case-insensitive names such as usernames. */
export const trimLowerCase = ({ value }: TransformFnParams): unknown =>
  typeof value === 'string' ? value.trim().toLowerCase() : value;
