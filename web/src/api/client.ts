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

export function graphqlClient(token: string | null): Client {
  return new Client({
    url: '/graphql',
    // urql's defaults: queries as GET (the server accepts GET queries that carry the
    // Authorization header, see the contract's Transport), mutations as POST.
    fetchOptions: () => (token ? { headers: { authorization: `Bearer ${token}` } } : {}),
    exchanges: [
      cacheExchange,
      mapExchange({
        onError(error) {
          const expired = error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED');
          if (token && expired) session.signOut('Your session has ended. Please sign in again.');
        },
      }),
      fetchExchange,
    ],
  });
}

function isCloseEvent(value: unknown): value is CloseEvent {
  return typeof value === 'object' && value !== null && 'code' in value;
}

/** Exponential backoff with jitter, cut short when the browser says it is back online. */
function retryWait(retries: number): Promise<void> {
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

function createLive(token: string): Live {
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
    connectionParams: { authorization: `Bearer ${token}` },
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
        if (
          isCloseEvent(event) &&
          (event.code === CLOSE_FORBIDDEN || event.code === CLOSE_TOKEN_EXPIRED)
        )
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
      clearTimeout(pongTimer);
      reconnectListeners.clear();
      statusListeners.clear();
      void ws.dispose();
    },
  };
}

let current: { token: string; api: Api } | null = null;

/**
 * The transports of the signed-in session, made on first use and closed when the session ends
 * (tied to the session, not to a component, so React's remounts do not reconnect).
 */
export function apiFor(token: string): Api {
  if (current?.token !== token) {
    current?.api.live.dispose();
    current = { token, api: { client: graphqlClient(token), live: createLive(token) } };
  }
  return current.api;
}

session.subscribe(() => {
  if (current && session.get()?.token !== current.token) {
    current.api.live.dispose();
    current = null;
  }
});
