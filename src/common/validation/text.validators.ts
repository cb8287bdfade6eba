/**
 * What text inputs may contain. PostgreSQL refuses NUL in text (a 500 if it gets that far), and
 * control characters in names, titles, searches, ids and cursors are never meant: they are
 * refused at validation, naming the field. Message text keeps newlines and tabs. Display names
 * also lose bidirectional overrides and zero-width characters (`cleanDisplayName`), which can
 * make one name look like another.
 */
import type { TransformFnParams } from 'class-transformer';
import { Matches, type ValidationOptions } from 'class-validator';

/* eslint-disable no-control-regex */
/** No C0 or C1 control character (NUL included), no DEL. */
const SAFE_TEXT = /^[^\u0000-\u001F\u007F-\u009F]*$/;
/** The same, but tab, line feed and carriage return are allowed. */
const MESSAGE_TEXT = /^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$/;
/** Bidirectional marks, embeddings, overrides and isolates; zero-width spaces and joiners; BOM. */
const INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;
/* eslint-enable no-control-regex */

/** Refuses NUL and every other control character (`{ each: true }` for arrays). */
export const IsSafeText = (options: ValidationOptions = {}): PropertyDecorator =>
  Matches(SAFE_TEXT, {
    message: '$property must not contain NUL or other control characters',
    ...options,
  });

/** Refuses NUL and control characters other than tab and line breaks. */
export const IsMessageText = (options: ValidationOptions = {}): PropertyDecorator =>
  Matches(MESSAGE_TEXT, {
    message: '$property must not contain NUL or control characters other than tabs and newlines',
    ...options,
  });

/** True when `text` holds a character IsSafeText refuses (for values checked outside DTOs). */
export const hasControlCharacters = (text: string): boolean => !SAFE_TEXT.test(text);

/** A display name trimmed, without invisible or direction-changing characters. */
export const displayNameText = (name: string): string => name.replace(INVISIBLE, '').trim();

/** For `@Transform`: `displayNameText` on strings (anything else is left to the validators). */
export const cleanDisplayName = ({ value }: TransformFnParams): unknown =>
  typeof value === 'string' ? displayNameText(value) : value;
