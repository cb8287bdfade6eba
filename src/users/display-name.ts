/**
 * Display names as the contract wants them everywhere they are set (register, updateProfile, an
 * identity provider's `name`): Unicode format characters (bidi overrides, zero-width) removed —
 * they can make one name look like another — and trimmed. Control characters are refused by the
 * inputs' validators (BAD_USER_INPUT), not silently dropped.
 */
import type { TransformFnParams } from 'class-transformer';

export function cleanDisplayName(name: string): string {
  return name.replace(/\p{Cf}/gu, '').trim();
}

/** For `@Transform(displayName)` on input classes (a non-string is left for the validators). */
export const displayName = ({ value }: TransformFnParams): unknown =>
  typeof value === 'string' ? cleanDisplayName(value) : value;

/** No control characters (C0, DEL, C1), as in every text but a message. */
export const NO_CONTROL_CHARACTERS = /^\P{Cc}*$/u;
