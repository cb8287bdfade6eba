/** graphql-ws clients as a browser or app would open them, and helpers to collect events. */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

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
  /** Waits until at least `count` events have arrived (or fails after timeoutMs). */
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
  let endedResolve!: () => void;
  const ended = new Promise<void>((resolve) => (endedResolve = resolve));
  const waiters: (() => void)[] = [];
  const sub: Subscription<T> = {
    events,
    errors,
    completed: false,
    ended,
    waitFor(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (events.length >= count) {
            resolve(events);
            return true;
          }
          return false;
        };
        if (check()) return;
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `expected ${count} events, got ${events.length}: ${JSON.stringify(errors)}`,
              ),
            ),
          timeoutMs,
        );
        waiters.push(() => {
          if (check()) clearTimeout(timer);
        });
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
        waiters.forEach((w) => w());
      },
      error: (error) => {
        errors.push(error);
        endedResolve();
      },
      complete: () => {
        sub.completed = true;
        endedResolve();
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
