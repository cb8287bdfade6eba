/**
 * Who is signed in: the tokens and the user, kept in sessionStorage so a reload keeps the
 * session while each tab (or window) may be a different user — the quickest way to try the chat
 * as two people. A tiny external store for useSyncExternalStore; no state library needed.
 */
import type { UserFieldsFragment } from '../gql/graphql';

export interface Session {
  /** The access token (short-lived: refreshed before `expiresAt`, see refresh.ts). */
  token: string;
  refreshToken: string;
  /** ISO time the access token stops working. */
  expiresAt: string;
  user: UserFieldsFragment;
  /** When this sign-in happened: the identity of the session, unchanged by refreshes. */
  since: number;
}

export type Tokens = Pick<Session, 'token' | 'refreshToken' | 'expiresAt'>;

const KEY = 'chat.session';
const listeners = new Set<() => void>();
let current: Session | null = read();
/** Why the last session ended, shown on the sign-in screen (e.g. an expired token). */
let endReason: string | null = null;

function read(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    const stored = raw ? (JSON.parse(raw) as Partial<Session>) : null;
    // One stored by an older build (no refresh token) cannot be kept alive: sign in again.
    return stored?.token && stored.refreshToken && stored.user ? (stored as Session) : null;
  } catch {
    return null;
  }
}

function store(next: Session): void {
  current = next;
  sessionStorage.setItem(KEY, JSON.stringify(next));
  for (const listener of listeners) listener();
}

export const session = {
  get: (): Session | null => current,
  endReason: (): string | null => endReason,
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  signIn(next: Omit<Session, 'since'>): void {
    endReason = null;
    store({ ...next, since: Date.now() });
  },
  /** The next tokens of the same session (after a refresh). */
  refreshed(tokens: Tokens): void {
    if (current) store({ ...current, ...tokens });
  },
  /** The same session, started afresh: its transports and state are made again. */
  restart(): void {
    if (current) store({ ...current, since: Date.now() });
  },
  signOut(reason: string | null = null): void {
    if (!current) return;
    current = null;
    endReason = reason;
    sessionStorage.removeItem(KEY);
    for (const listener of listeners) listener();
  },
};
