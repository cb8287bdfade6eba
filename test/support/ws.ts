/** graphql-ws clients as a browser or app would open them, and helpers to collect events. */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { EventBus } from '../../src/pubsub/event-bus.js';
import type { InProcessApp } from './app.js';
import type { GqlError } from './gql.js';
import { waitUntil } from './wait.js';

export interface WsClient {
  client: Client;
  /** Resolves with the close code once the socket closes. */
  closed: Promise<number>;
  dispose(): Promise<void>;
}

/** Opens a connection and waits for connection_ack (or rejects with the close code). */
export async function connectWs(
  wsUrl: string,
  token: string | undefined,
  options: { retry?: boolean; headers?: Record<string, string> } = {},
): Promise<WsClient> {
  let resolveClosed!: (code: number) => void;
  const closed = new Promise<number>((resolve) => (resolveClosed = resolve));
  const client = createClient({
    url: wsUrl,
    webSocketImpl: class extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { headers: options.headers });
      }
    },
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    lazy: false,
    // Reported through the promise below instead of console.error.
    onNonLazyError: () => undefined,
    retryAttempts: options.retry ? 5 : 0,
    shouldRetry: () => Boolean(options.retry),
  });
  await new Promise<void>((resolve, reject) => {
    const offConnected = client.on('connected', () => {
      offConnected();
      resolve();
    });
    client.on('closed', (event) => {
      const code = (event as { code?: number }).code ?? 0;
      resolveClosed(code);
      reject(new Error(`closed with ${code}`));
    });
    client.on('error', (error) =>
      reject(error instanceof Error ? error : new Error('socket error')),
    );
  });
  return { client, closed, dispose: () => client.dispose() as Promise<void> };
}

/** What arrives on one subscription: results in order, and whether it errored or completed. */
export interface Subscription<T> {
  events: T[];
  errors: unknown[];
  completed: boolean;
  /**
   * Waits until at least `count` events have arrived; fails after timeoutMs, or as soon as the
   * subscription ends (errors or completes) with fewer.
   */
  waitFor(count: number, timeoutMs?: number): Promise<T[]>;
  /** Waits until the subscription errors or completes. */
  ended: Promise<void>;
  unsubscribe(): void;
}

export function subscribe<T = any>(
  ws: WsClient,
  query: string,
  variables: Record<string, unknown> = {},
): Subscription<T> {
  const events: T[] = [];
  const errors: unknown[] = [];
  let hasEnded = false;
  let endedResolve!: () => void;
  const ended = new Promise<void>((resolve) => (endedResolve = resolve));
  const end = () => {
    hasEnded = true;
    endedResolve();
    waiters.splice(0).forEach((w) => w());
  };
  const waiters: (() => void)[] = [];
  const sub: Subscription<T> = {
    events,
    errors,
    completed: false,
    ended,
    waitFor(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const failure = (why: string) =>
          new Error(
            `expected ${count} events, got ${events.length} (${why}): ${JSON.stringify(errors)}`,
          );
        /** Settles the promise when it can be, and says whether it did. */
        const settle = () => {
          if (events.length >= count) resolve(events);
          else if (hasEnded)
            reject(failure(errors.length ? 'it ended with errors' : 'it completed'));
          else return false;
          return true;
        };
        if (settle()) return;
        let settled = false;
        const timer = setTimeout(() => {
          settled = true;
          reject(failure(`none more after ${timeoutMs} ms`));
        }, timeoutMs);
        const waiter = () => {
          if (settled) return;
          if (settle()) {
            settled = true;
            clearTimeout(timer);
          } else waiters.push(waiter);
        };
        waiters.push(waiter);
      });
    },
    unsubscribe: () => undefined,
  };
  sub.unsubscribe = ws.client.subscribe<T>(
    { query, variables },
    {
      next: (value) => {
        if (value.errors) errors.push(...value.errors);
        else events.push(value.data as T);
        waiters.splice(0).forEach((w) => w());
      },
      error: (error) => {
        errors.push(error);
        end();
      },
      complete: () => {
        sub.completed = true;
        end();
      },
    },
  );
  return sub;
}

/**
 * The first error a subscription got: graphql-ws hands an `error` message's errors over as an
 * array, and errors inside a result one by one.
 */
export function subscriptionError(sub: Subscription<unknown>): GqlError | undefined {
  const first = sub.errors[0];
  return (Array.isArray(first) ? first[0] : first) as GqlError | undefined;
}

/** The code of the first error a subscription got, for tests that expect a refusal. */
export function subscriptionErrorCode(sub: Subscription<unknown>): string | undefined {
  return subscriptionError(sub)?.extensions?.code;
}

/**
 * Runs `subscribeAll`, then waits until `apps` together hold `count` more live subscriptions
 * (each started one listens on the event bus only once the server has set it up).
 */
export async function waitForSubscriptions<T>(
  apps: InProcessApp[],
  count: number,
  subscribeAll: () => T | Promise<T>,
  timeoutMs = 10_000,
): Promise<T> {
  const unique = [...new Set(apps)];
  const active = () => unique.reduce((n, app) => n + app.app.get(EventBus).activeSubscriptions, 0);
  const before = active();
  const result = await subscribeAll();
  await waitUntil(() => active() >= before + count, `${count} more live subscriptions`, timeoutMs);
  return result;
}

/**
 * Proves that something did not arrive, without sleeping: runs `sendSentinel` (something that
 * travels the same path as what must not arrive, sent after it, and does arrive), waits until
 * `sub` has it, and answers the events that came before it.
 */
export async function eventsBeforeSentinel<T>(
  sub: Subscription<T>,
  sendSentinel: () => Promise<unknown>,
  isSentinel: (event: T) => boolean,
  timeoutMs = 10_000,
): Promise<T[]> {
  await sendSentinel();
  await waitUntil(
    () => sub.events.some(isSentinel),
    `the sentinel (have ${JSON.stringify(sub.events)}; errors ${JSON.stringify(sub.errors)})`,
    timeoutMs,
  );
  return sub.events.slice(0, sub.events.findIndex(isSentinel));
}

/** graphql-transport-ws frames, for tests that drive a bare socket below the client library. */
export const wsFrames = {
  init: (token: string) =>
    JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }),
  subscribe: (id: string, query: string) =>
    JSON.stringify({ id, type: 'subscribe', payload: { query } }),
};

/**
 * Opens a bare graphql-ws socket, authenticates and starts one subscription (id "1"); resolves
 * once the server has acknowledged the connection. For tests that cut, stall or flood sockets.
 */
export function rawSubscriber(wsUrl: string, token: string, query: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
    socket.once('error', reject);
    socket.once('open', () => socket.send(wsFrames.init(token)));
    socket.on('message', (data) => {
      if (JSON.parse(String(data)).type === 'connection_ack') {
        socket.send(wsFrames.subscribe('1', query));
        resolve(socket);
      }
    });
  });
}

/**
 * Starts `count` subscriptions on one socket one after another, each live on `app` (and without
 * an error) before the next starts; answers them in order.
 */
export async function subscribeOneByOne<T = any>(
  app: InProcessApp,
  ws: WsClient,
  query: string,
  count: number,
): Promise<Subscription<T>[]> {
  const subs: Subscription<T>[] = [];
  for (let i = 0; i < count; i++) {
    const sub = await waitForSubscriptions([app], 1, () => subscribe<T>(ws, query));
    if (sub.errors.length) throw new Error(`subscription ${i + 1}: ${JSON.stringify(sub.errors)}`);
    subs.push(sub);
  }
  return subs;
}

/** Runs one query or mutation over the socket (graphql-ws carries those too); answers its data. */
export async function queryWs<T = any>(
  ws: WsClient,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  for await (const result of ws.client.iterate<T>({ query, variables })) {
    if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
    return result.data as T;
  }
  throw new Error('the operation completed without a result');
}
