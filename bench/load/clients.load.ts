/**
 * Load-generator clients on raw `ws`: graphql-ws frames written by hand for the server, the
 * floor's JSON frames for the floor, behind one interface. Cheap by design — thousands live in
 * one process on a 2-core machine that also runs the servers:
 * - a delivery is recognised by a fixed frame prefix (our queries put `text` first), so counting
 *   and reading the message number parse no JSON; only the storm parses frames fully;
 * - one subscription per client (id "s"), sends as graphql-ws mutations on the same socket, or
 *   (`sendOverHttp`) as HTTP requests with the client's token — `POST /graphql` for the server,
 *   `POST /send` for the floor — over kept-alive connections.
 */
import { Agent, request } from 'node:http';
import WebSocket from 'ws';
import type { Kind } from './targets.load.js';

export const MESSAGE_FIELDS =
  'text seq conversationId id createdAt clientMessageId sender { id username displayName }';
const SUBSCRIBE_ALL = `subscription { messageAdded { ${MESSAGE_FIELDS} } }`;
const SUBSCRIBE_ONE = `subscription($c: ID!, $a: Int) { messageAdded(conversationId: $c, afterSeq: $a) { ${MESSAGE_FIELDS} } }`;
// The change stream's form of the same (the storm's BENCH_STORM_STREAM=events): message events only.
const SUBSCRIBE_EVENTS = `subscription($c: ID!, $a: Int) { conversationEvents(conversationId: $c, afterEventSeq: $a) { eventSeq ... on MessageEvent { message { text seq conversationId } } } }`;
const SEND = `mutation($i: SendMessageInput!) { sendMessage(input: $i) { seq } }`;

const PREFIX: Record<Kind, Buffer> = {
  server: Buffer.from('{"id":"s","type":"next","payload":{"data":{"messageAdded":{"text":"'),
  floor: Buffer.from('{"t":"m","m":{"text":"'),
};
const EVENTS_PREFIX = Buffer.from(
  '{"id":"s","type":"next","payload":{"data":{"conversationEvents":{',
);

export interface DeliveredMessage {
  text: string;
  seq: number;
  conversationId: string;
  /** Only from conversationEvents. */
  eventSeq?: number;
}

export interface BenchClient {
  readonly kind: Kind;
  /** Called with every delivery frame of the subscription, unparsed. */
  onDelivery: (frame: Buffer) => void;
  /** Subscription errors (graphql-ws `error`, floor `err` without a request). */
  errors: number;
  /** Called on each subscription error (after which the subscription is over), with its payload. */
  onSubscriptionError: (payload: unknown) => void;
  subscribe(conversationId?: string, afterSeq?: number): void;
  /** conversationEvents of one conversation (server only), after `afterEventSeq` when given. */
  subscribeEvents(conversationId: string, afterEventSeq?: number): void;
  /** Resolves with the stored message's seq once the server answers. */
  send(conversationId: string, text: string, clientMessageId?: string): Promise<number>;
  /** The same send as an HTTP request (the token checked per request). */
  sendOverHttp(conversationId: string, text: string): Promise<number>;
  /** The message number of a delivery frame (its text), without JSON parsing. */
  textOf(frame: Buffer): string;
  parse(frame: Buffer): DeliveredMessage;
  close(): void;
  terminate(): void;
  readonly closed: Promise<void>;
}

interface Pending {
  resolve: (seq: number) => void;
  reject: (error: Error) => void;
}

class Client implements BenchClient {
  onDelivery: (frame: Buffer) => void = () => undefined;
  onSubscriptionError: (payload: unknown) => void = () => undefined;
  errors = 0;
  readonly closed: Promise<void>;
  private readonly prefix: Buffer;
  private readonly pending = new Map<number, Pending>();
  private nextRequest = 1;

  constructor(
    readonly kind: Kind,
    private readonly ws: WebSocket,
    private readonly httpUrl: URL,
    private readonly token: string,
  ) {
    this.prefix = PREFIX[kind];
    this.closed = new Promise((resolve) => ws.once('close', () => resolve()));
    ws.once('close', () => {
      for (const p of this.pending.values()) p.reject(new Error('closed'));
      this.pending.clear();
    });
  }

  handle(frame: Buffer): void {
    const p = this.prefix;
    if (frame.length > p.length && frame.compare(p, 0, p.length, 0, p.length) === 0) {
      this.onDelivery(frame);
      return;
    }
    const e = EVENTS_PREFIX;
    if (frame.length > e.length && frame.compare(e, 0, e.length, 0, e.length) === 0) {
      this.onDelivery(frame);
      return;
    }
    const msg = JSON.parse(frame.toString()) as Record<string, any>;
    if (this.kind === 'server') {
      if (msg.id === 's') {
        if (msg.type === 'error' || msg.payload?.errors) {
          this.errors++;
          this.onSubscriptionError(msg.payload);
        }
        return;
      }
      const request = Number(String(msg.id).slice(1));
      const pending = this.pending.get(request);
      if (!pending || msg.type === 'complete') return;
      this.pending.delete(request);
      const seq = msg.payload?.data?.sendMessage?.seq;
      if (msg.type === 'next' && typeof seq === 'number') pending.resolve(seq);
      else pending.reject(new Error(JSON.stringify(msg.payload)));
    } else {
      if (msg.t === 'err' && msg.r === undefined) {
        this.errors++;
        this.onSubscriptionError(msg.e);
      }
      const pending = this.pending.get(msg.r);
      if (!pending) return;
      this.pending.delete(msg.r);
      if (msg.t === 'ok') pending.resolve(msg.seq);
      else pending.reject(new Error(String(msg.e)));
    }
  }

  subscribe(conversationId?: string, afterSeq?: number): void {
    if (this.kind === 'server') {
      const payload = conversationId
        ? { query: SUBSCRIBE_ONE, variables: { c: conversationId, a: afterSeq ?? null } }
        : { query: SUBSCRIBE_ALL };
      this.ws.send(JSON.stringify({ id: 's', type: 'subscribe', payload }));
    } else {
      this.ws.send(JSON.stringify({ t: 'sub', c: conversationId, a: afterSeq }));
    }
  }

  subscribeEvents(conversationId: string, afterEventSeq?: number): void {
    if (this.kind !== 'server') throw new Error('the floor has no change stream');
    const payload = {
      query: SUBSCRIBE_EVENTS,
      variables: { c: conversationId, a: afterEventSeq ?? null },
    };
    this.ws.send(JSON.stringify({ id: 's', type: 'subscribe', payload }));
  }

  send(conversationId: string, text: string, clientMessageId?: string): Promise<number> {
    const r = this.nextRequest++;
    const frame =
      this.kind === 'server'
        ? JSON.stringify({
            id: `m${r}`,
            type: 'subscribe',
            payload: { query: SEND, variables: { i: { conversationId, text, clientMessageId } } },
          })
        : JSON.stringify({ t: 'send', r, c: conversationId, x: text, k: clientMessageId });
    return new Promise((resolve, reject) => {
      if (this.ws.readyState !== WebSocket.OPEN) return reject(new Error('not open'));
      this.pending.set(r, { resolve, reject });
      this.ws.send(frame);
    });
  }

  sendOverHttp(conversationId: string, text: string): Promise<number> {
    const body =
      this.kind === 'server'
        ? JSON.stringify({ query: SEND, variables: { i: { conversationId, text } } })
        : JSON.stringify({ c: conversationId, x: text });
    return new Promise((resolve, reject) => {
      const req = request(
        this.httpUrl,
        {
          method: 'POST',
          agent: httpAgent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization: `Bearer ${this.token}`,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const reply = Buffer.concat(chunks).toString();
            try {
              const msg = JSON.parse(reply) as Record<string, any>;
              const seq = this.kind === 'server' ? msg.data?.sendMessage?.seq : msg.seq;
              if (typeof seq === 'number') return resolve(seq);
            } catch {
              // not JSON: reported below
            }
            reject(new Error(`HTTP ${res.statusCode}: ${reply.slice(0, 300)}`));
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  textOf(frame: Buffer): string {
    const start = this.prefix.length;
    return frame.toString('latin1', start, frame.indexOf(0x22, start));
  }

  parse(frame: Buffer): DeliveredMessage {
    const msg = JSON.parse(frame.toString()) as Record<string, any>;
    if (this.kind === 'floor') return msg.m;
    const { messageAdded, conversationEvents: event } = msg.payload.data;
    if (messageAdded) return messageAdded;
    // Not a message event: nothing the storm counts.
    if (!event.message) return { text: '', seq: 0, conversationId: '', eventSeq: event.eventSeq };
    return { ...event.message, eventSeq: event.eventSeq };
  }

  close(): void {
    this.ws.close(1000);
  }

  terminate(): void {
    this.ws.terminate();
  }
}

/** HTTP sends share kept-alive connections (as a client's fetch would reuse its own). */
const httpAgent = new Agent({ keepAlive: true, maxSockets: 64 });

/** Opens an authenticated connection (connection_ack / floor ack), or rejects. */
export function connect(
  kind: Kind,
  wsUrl: string,
  token: string,
  timeoutMs = 30_000,
): Promise<BenchClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, kind === 'server' ? 'graphql-transport-ws' : undefined, {
      perMessageDeflate: false,
    });
    const http = new URL(kind === 'server' ? '/graphql' : '/send', wsUrl.replace(/^ws/, 'http'));
    const client = new Client(kind, ws, http, token);
    let acked = false;
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('connect timed out'));
    }, timeoutMs);
    ws.once('open', () =>
      ws.send(
        kind === 'server'
          ? JSON.stringify({
              type: 'connection_init',
              payload: { authorization: `Bearer ${token}` },
            })
          : JSON.stringify({ t: 'auth', k: token }),
      ),
    );
    ws.on('message', (data: Buffer) => {
      if (acked) return client.handle(data);
      const msg = JSON.parse(data.toString()) as { type?: string; t?: string };
      if (msg.type === 'connection_ack' || msg.t === 'ack') {
        acked = true;
        clearTimeout(timer);
        resolve(client);
      }
    });
    ws.on('error', () => undefined); // the close that follows reports it
    ws.once('close', (code) => {
      clearTimeout(timer);
      if (!acked) reject(new Error(`closed with ${code} before ack`));
    });
  });
}

/** Runs `task(i)` for i < count with at most `concurrency` at once. */
export async function runPool<T>(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<T>,
): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}

export const PROBE = 'probe';

/**
 * Subscriptions start asynchronously and graphql-ws does not acknowledge them: send probe messages
 * (text "probe") until every client has received one, so the measured messages all find their
 * subscribers live. Scenarios ignore probe deliveries that trail in afterwards.
 */
export async function awaitLive(
  clients: readonly BenchClient[],
  sender: BenchClient,
  conversationId: string,
  timeoutMs = 60_000,
): Promise<void> {
  const got = new Set<BenchClient>();
  for (const c of clients) c.onDelivery = (frame) => c.textOf(frame) === PROBE && got.add(c);
  const deadline = Date.now() + timeoutMs;
  while (got.size < clients.length) {
    if (Date.now() > deadline)
      throw new Error(`only ${got.size} of ${clients.length} subscriptions went live`);
    await sender.send(conversationId, PROBE);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  for (const c of clients) c.onDelivery = () => undefined;
}
