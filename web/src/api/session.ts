/**
 * Who is signed in: the access token and the user, kept in sessionStorage so a reload keeps the
 * session while each tab (or window) may be a different user — the quickest way to try the chat
 * as two people. A tiny external store for useSyncExternalStore; no state library needed.
 */
import type { UserFieldsFragment } from '../gql/graphql';

export interface Session {
  token: string;
  user: UserFieldsFragment;
}

const KEY = 'chat.session';
const listeners = new Set<() => void>();
let current: Session | null = read();
/** Why the last session ended, shown on the sign-in screen (e.g. an expired token). */
let endReason: string | null = null;

function read(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

function emit(): void {
  for (const listener of listeners) listener();
}

export const session = {
  get: (): Session | null => current,
  endReason: (): string | null => endReason,
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  signIn(next: Session): void {
    current = next;
    endReason = null;
    sessionStorage.setItem(KEY, JSON.stringify(next));
    emit();
  },
  signOut(reason: string | null = null): void {
    if (!current) return;
    current = null;
    endReason = reason;
    sessionStorage.removeItem(KEY);
    emit();
  },
};
