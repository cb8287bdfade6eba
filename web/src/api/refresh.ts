/**
 * Keeps the signed-in session's access token fresh: a refresh a minute before it expires, and on
 * demand (a 4401 close, an UNAUTHENTICATED answer). One refresh at a time: the server treats a
 * second use of the same refresh token as theft and ends the session. A refused refresh means the
 * session is over (signed out elsewhere, revoked): sign in again.
 */
import { Client, fetchExchange } from '@urql/core';
import { RefreshSessionDocument } from '../gql/graphql';
import { session } from './session';

const EARLY_MS = 60_000;
const RETRY_MS = 10_000;
const ENDED = 'Your session has ended. Please sign in again.';

const anonymous = new Client({ url: '/graphql', exchanges: [fetchExchange] });
let inFlight: Promise<boolean> | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;

/** Refreshes now (or joins the refresh under way); whether the session has fresh tokens. */
export function refreshNow(): Promise<boolean> {
  inFlight ??= run().finally(() => (inFlight = null));
  return inFlight;
}

/** Resolves once no refresh is under way (a reconnect waits for the new token). */
export function refreshing(): Promise<unknown> {
  return inFlight ?? Promise.resolve();
}

async function run(): Promise<boolean> {
  const started = session.get();
  if (!started) return false;
  const result = await anonymous
    .mutation(RefreshSessionDocument, { refreshToken: started.refreshToken })
    .toPromise();
  // Signed out (or in as someone else) meanwhile: this answer is not for the current session.
  if (session.get()?.since !== started.since) return false;
  const next = result.data?.refreshSession;
  if (next) {
    session.refreshed({
      token: next.accessToken,
      refreshToken: next.refreshToken,
      expiresAt: next.accessTokenExpiresAt,
    });
    return true;
  }
  if (result.error?.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')) {
    session.signOut(ENDED);
  } else {
    // The network or the server failed: no verdict on the session; try again shortly.
    clearTimeout(timer);
    timer = setTimeout(() => void refreshNow(), RETRY_MS);
  }
  return false;
}

function schedule(): void {
  clearTimeout(timer);
  const current = session.get();
  if (!current) return;
  const remaining = Date.parse(current.expiresAt) - Date.now();
  // A minute early; halfway through a lifetime shorter than two minutes.
  const wait = remaining > 2 * EARLY_MS ? remaining - EARLY_MS : remaining / 2;
  timer = setTimeout(() => void refreshNow(), Math.max(wait, 0));
}

session.subscribe(schedule);
schedule();
