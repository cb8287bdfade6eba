/** graphql-ws clients as a browser or app would open them, and helpers to collect events. */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { EventBus } from '../../src/pubsub/event-bus.js';
import type { InProcessApp } from './app.js';
import type { GqlError } from './gql.js';

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

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `predicate` holds, failing with `what` after timeoutMs. */
export async function waitUntil(
  predicate: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
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
