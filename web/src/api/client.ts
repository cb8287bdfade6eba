/**
 * The two transports of one signed-in session: urql over HTTP for queries and mutations, and a
 * graphql-ws socket for subscriptions. The socket reconnects by itself (backoff, at once when the
 * browser comes back online, a dead socket noticed by a missed pong); after each reconnect the
 * `onReconnect` listeners restart their subscriptions from what they hold (afterSeq), which
 * urql's subscriptionExchange could not do: graphql-ws re-sends a subscription with the variables
 * it started with, so subscriptions go to graphql-ws directly, through `subscribe` below.
 */
import { Client, cacheExchange, fetchExchange, mapExchange, stringifyDocument } from '@urql/core';
import type { TypedDocumentNode } from '@urql/core';
import { createClient as createWsClient } from 'graphql-ws';
import { refreshNow, refreshing } from './refresh';
import { session } from './session';

export type ConnectionStatus = 'connecting' | 'online' | 'offline';

export interface Live {
  /** Starts a subscription; the returned function ends it. */
  subscribe<Data, Variables extends Record<string, unknown>>(
    document: TypedDocumentNode<Data, Variables>,
    variables: Variables,
    onData: (data: Data) => void,
    onError?: (message: string) => void,
  ): () => void;
  /** Runs after every reconnect (not the first connect), before any old subscription resumes. */
  onReconnect(listener: () => void): () => void;
  status(): ConnectionStatus;
  onStatus(listener: () => void): () => void;
  dispose(): void;
}

export interface Api {
  client: Client;
  live: Live;
}

/** Close codes after which retrying with the same token is pointless (see the contract). */
const CLOSE_FORBIDDEN = 4403;
const CLOSE_TOKEN_EXPIRED = 4401;
const PING_EVERY_MS = 10_000;
const PONG_WITHIN_MS = 5_000;

/** `token`: the current access token, read at each request (refreshes replace it). */
export function graphqlClient(token: () => string | null): Client {
  return new Client({
    url: '/graphql',
    // urql's defaults: queries as GET (the server accepts GET queries that carry the
    // Authorization header, see the contract's Transport), mutations as POST.
    fetchOptions: () => {
      const current = token();
      return current ? { headers: { authorization: `Bearer ${current}` } } : {};
    },
    exchanges: [
      cacheExchange,
      mapExchange({
        onError(error) {
          const expired = error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED');
          // A refused refresh signs out; a successful one serves the next requests.
          if (token() && expired) void refreshNow();
        },
      }),
      fetchExchange,
    ],
  });
}

function isCloseEvent(value: unknown): value is CloseEvent {
  return typeof value === 'object' && value !== null && 'code' in value;
}

/**
 * Exponential backoff with jitter, cut short when the browser says it is back online; never
 * before a refresh under way has brought the next token.
 */
async function retryWait(retries: number): Promise<void> {
  await Promise.all([backoff(retries), refreshing()]);
}

function backoff(retries: number): Promise<void> {
  const delay = Math.min(500 * 2 ** retries, 8_000) * (0.75 + Math.random() / 2);
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      window.removeEventListener('online', done);
      resolve();
    };
    const timer = setTimeout(done, delay);
    window.addEventListener('online', done);
  });
}

function createLive(): Live {
  const reconnectListeners = new Set<() => void>();
  const statusListeners = new Set<() => void>();
  let status: ConnectionStatus = 'connecting';
  let connectedBefore = false;
  let pongTimer: ReturnType<typeof setTimeout> | undefined;
  const setStatus = (next: ConnectionStatus) => {
    if (next === status) return;
    status = next;
    for (const listener of statusListeners) listener();
  };

  const ws = createWsClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    // Read at each connect: a reconnect after a refresh carries the new token.
    connectionParams: () => ({ authorization: `Bearer ${session.get()?.token ?? ''}` }),
    // Connect at once and stay connected: an open socket is what makes the user ONLINE.
    lazy: false,
    retryAttempts: Infinity,
    retryWait,
    shouldRetry: (e) =>
      !(isCloseEvent(e) && (e.code === CLOSE_FORBIDDEN || e.code === CLOSE_TOKEN_EXPIRED)),
    onNonLazyError: () => undefined,
    keepAlive: PING_EVERY_MS,
    on: {
      connecting: () => setStatus('connecting'),
      connected: () => {
        setStatus('online');
        if (connectedBefore) for (const listener of reconnectListeners) listener();
        connectedBefore = true;
      },
      closed: (event) => {
        clearTimeout(pongTimer);
        setStatus('offline');
        // The socket outlived its token (a sleeping laptop missed the refresh): graphql-ws gives
        // up on 4401, so after a refresh the session's transports start afresh.
        if (isCloseEvent(event) && event.code === CLOSE_TOKEN_EXPIRED)
          void refreshNow().then((ok) => ok && session.restart());
        // The token was refused or its session ended (logout elsewhere, revoked).
        if (isCloseEvent(event) && event.code === CLOSE_FORBIDDEN)
          session.signOut('Your session has ended. Please sign in again.');
      },
      // A socket can die without a close (a sleeping laptop, a changed network): no pong in
      // time means it is gone, and terminating it starts the reconnect at once.
      ping: (received) => {
        if (received) return;
        clearTimeout(pongTimer);
        pongTimer = setTimeout(() => ws.terminate(), PONG_WITHIN_MS);
      },
      pong: (received) => {
        if (received) clearTimeout(pongTimer);
      },
    },
  });

  // The server closes a socket when its token expires: after each refresh, reconnect at once
  // with the new token (graphql-ws resubscribes, and the onReconnect listeners resume).
  let token = session.get()?.token;
  const stopFollowing = session.subscribe(() => {
    const next = session.get()?.token;
    if (!next || next === token) return;
    token = next;
    if (status === 'online') ws.terminate();
  });

  return {
    subscribe(document, variables, onData, onError) {
      return ws.subscribe(
        { query: stringifyDocument(document), variables },
        {
          next: (result) => {
            if (result.data) onData(result.data as never);
            else if (result.errors?.length) onError?.(result.errors[0].message);
          },
          error: (error) =>
            onError?.(Array.isArray(error) ? String(error[0]?.message) : 'Live updates stopped'),
          complete: () => undefined,
        },
      );
    },
    onReconnect(listener) {
      reconnectListeners.add(listener);
      return () => reconnectListeners.delete(listener);
    },
    status: () => status,
    onStatus(listener) {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
    dispose() {
      stopFollowing();
      clearTimeout(pongTimer);
      reconnectListeners.clear();
      statusListeners.clear();
      void ws.dispose();
    },
  };
}

let current: { since: number; api: Api } | null = null;

/**
 * The transports of the signed-in session (`since` names it), made on first use and closed when
 * the session ends (tied to the session, not to a component, so React's remounts do not
 * reconnect; a token refresh keeps them).
 */
export function apiFor(since: number): Api {
  if (current?.since !== since) {
    current?.api.live.dispose();
    const token = () => session.get()?.token ?? null;
    current = { since, api: { client: graphqlClient(token), live: createLive() } };
  }
  return current.api;
}

session.subscribe(() => {
  if (current && session.get()?.since !== current.since) {
    current.api.live.dispose();
    current = null;
  }
});
