import { EventEmitter } from 'node:events';
import {
  GraphQLError,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
  type ExecutionArgs,
} from 'graphql';
import { stringifyMessage, MessageType } from 'graphql-ws';
import type { WebSocket } from 'ws';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sharedSubscribe } from './shared-subscribe.js';
import { WsProtocol, type ProtocolClient } from './ws.protocol.js';

/** A source event stream whose events the spec pushes, recording return() calls. */
class Source implements AsyncIterator<unknown> {
  returned = 0;
  private waiting?: (step: IteratorResult<unknown>) => void;
  private failing?: (error: Error) => void;
  next(): Promise<IteratorResult<unknown>> {
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failing = reject;
    });
  }
  return(): Promise<IteratorResult<unknown>> {
    this.returned++;
    this.waiting?.({ value: undefined, done: true });
    return Promise.resolve({ value: undefined, done: true });
  }
  push(value: unknown) {
    this.waiting?.({ value, done: false });
  }
  end() {
    this.waiting?.({ value: undefined, done: true });
  }
  fail(error: Error) {
    this.failing?.(error);
  }
  [Symbol.asyncIterator]() {
    return this;
  }
}

function setup(options: { accept?: boolean; admit?: (id: string) => Promise<void> } = {}) {
  const sources: Source[] = [];
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({
      name: 'Query',
      fields: { hello: { type: GraphQLString, resolve: () => 'world' } },
    }),
    subscription: new GraphQLObjectType({
      name: 'Subscription',
      fields: {
        said: {
          type: GraphQLString,
          subscribe: () => {
            const source = new Source();
            sources.push(source);
            return source;
          },
          resolve: (event: { text: string }) => event.text,
        },
      },
    }),
  });
  const frames: string[] = [];
  const deliveries = { count: 0 };
  const closedClients: ProtocolClient[] = [];
  const protocol = new WsProtocol<ProtocolClient>({
    subscribe: sharedSubscribe(new Set(['said']), (context) => context),
    onConnect: () => Promise.resolve(options.accept ?? true),
    onSubscribe: async (_client, id, payload) => {
      await options.admit?.(id);
      if (payload.query === 'refused') return [new GraphQLError('not you')];
      if (payload.query === 'throws') throw new Error('broken');
      const args: ExecutionArgs = { schema, document: parse(payload.query), contextValue: {} };
      return args;
    },
    formatError: (error) => ({ message: `formatted: ${error.message}` }),
    onDelivery: () => deliveries.count++,
    send: (_socket, data) => frames.push(String(data)),
    onClosed: (client) => closedClients.push(client),
  });
  return { protocol, frames, deliveries, sources, closedClients };
}

/** A ws socket as far as the protocol server uses it. */
class FakeSocket extends EventEmitter {
  closedWith?: { code: number; reason: string };
  readyState = 1;
  readonly OPEN = 1;
  constructor(readonly protocol = 'graphql-transport-ws') {
    super();
  }
  close(code: number, reason: string) {
    if (this.closedWith) return;
    this.closedWith = { code, reason };
    this.readyState = 3;
    // ws emits 'close' once the closing handshake is done, never within close().
    queueMicrotask(() => this.emit('close', code, Buffer.from(reason)));
  }
}

function open(protocol: WsProtocol<ProtocolClient>, subprotocol?: string) {
  const socket = new FakeSocket(subprotocol);
  const client: ProtocolClient = {
    socket: socket as unknown as WebSocket,
    phase: 'awaiting-init',
    operations: new Map(),
  };
  protocol.open(client);
  const send = (message: object | string) =>
    socket.emit(
      'message',
      Buffer.from(typeof message === 'string' ? message : JSON.stringify(message)),
    );
  return { socket, client, send };
}

const turns = async (n = 10) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

async function acknowledged(protocol: WsProtocol<ProtocolClient>) {
  const opened = open(protocol);
  opened.send({ type: 'connection_init', payload: {} });
  await turns();
  return opened;
}

const parsed = (frames: string[]) => frames.map((f) => JSON.parse(f) as Record<string, unknown>);

describe('WsProtocol', () => {
  afterEach(() => vi.useRealTimers());

  it('closes with 4406 a socket without the graphql-transport-ws subprotocol', async () => {
    const { protocol, closedClients } = setup();
    const { socket } = open(protocol, 'graphql-ws');
    await turns();
    expect(socket.closedWith).toEqual({ code: 4406, reason: 'Subprotocol not acceptable' });
    expect(closedClients).toHaveLength(1);
  });

  it('acknowledges connection_init once and closes with 4429 on a second', async () => {
    const { protocol, frames } = setup();
    const { socket, send } = await acknowledged(protocol);
    expect(parsed(frames)).toEqual([{ type: 'connection_ack' }]);
    send({ type: 'connection_init' });
    await turns();
    expect(socket.closedWith).toEqual({ code: 4429, reason: 'Too many initialisation requests' });
  });

  it('closes with 4403 when onConnect refuses', async () => {
    const { protocol, frames } = setup({ accept: false });
    const { socket, send } = open(protocol);
    send({ type: 'connection_init' });
    await turns();
    expect(socket.closedWith).toEqual({ code: 4403, reason: 'Forbidden' });
    expect(frames).toEqual([]);
  });

  it('closes with 4408 the sockets without connection_init 3 s after they opened, only those', async () => {
    vi.useFakeTimers();
    const { protocol } = setup();
    const late = open(protocol);
    vi.advanceTimersByTime(1000);
    const later = open(protocol);
    const initialised = open(protocol);
    initialised.send({ type: 'connection_init' });
    vi.advanceTimersByTime(1999);
    expect(late.socket.closedWith).toBeUndefined();
    vi.advanceTimersByTime(1);
    expect(late.socket.closedWith).toEqual({
      code: 4408,
      reason: 'Connection initialisation timeout',
    });
    expect(later.socket.closedWith).toBeUndefined();
    vi.advanceTimersByTime(1000);
    expect(later.socket.closedWith?.code).toBe(4408);
    vi.advanceTimersByTime(10_000);
    expect(initialised.socket.closedWith).toBeUndefined();
  });

  it('closes with 4401 a subscribe before the acknowledgement', async () => {
    const { protocol } = setup();
    const { socket, send } = open(protocol);
    send({ id: '1', type: 'subscribe', payload: { query: '{ hello }' } });
    await turns();
    expect(socket.closedWith).toEqual({ code: 4401, reason: 'Unauthorized' });
  });

  it.each([
    ['not JSON', '{'],
    ['no type', '{}'],
    ['an unknown type', '{"type":"hello"}'],
    ['a subscribe without a query', '{"id":"1","type":"subscribe","payload":{}}'],
  ])('closes with 4400 on %s', async (_, text) => {
    const { protocol } = setup();
    const { socket, send } = await acknowledged(protocol);
    send(text);
    await turns();
    expect(socket.closedWith).toEqual({ code: 4400, reason: 'Invalid message received' });
  });

  it('closes with 4400 on JSON nested too deeply, before parsing it', async () => {
    const { protocol } = setup();
    const { socket, send } = await acknowledged(protocol);
    send(`{"type":"ping","payload":${'['.repeat(10_000)}${']'.repeat(10_000)}}`);
    expect(socket.closedWith).toEqual({ code: 4400, reason: 'JSON nested too deeply' });
  });

  it('closes with 4500 on a message only a server sends', async () => {
    const { protocol } = setup();
    const { socket, send } = await acknowledged(protocol);
    send({ type: 'connection_ack' });
    await turns();
    expect(socket.closedWith).toEqual({ code: 4500, reason: 'Internal server error' });
  });

  it('answers ping with pong, echoing its payload', async () => {
    const { protocol, frames } = setup();
    const { send } = open(protocol);
    send({ type: 'ping' });
    send({ type: 'ping', payload: { at: 1 } });
    await turns();
    expect(parsed(frames)).toEqual([{ type: 'pong' }, { type: 'pong', payload: { at: 1 } }]);
  });

  it('answers a query with next then complete, not counted as a delivery', async () => {
    const { protocol, frames, deliveries } = setup();
    const { send, client } = await acknowledged(protocol);
    send({ id: 'q', type: 'subscribe', payload: { query: '{ hello }' } });
    await turns();
    expect(parsed(frames).slice(1)).toEqual([
      { id: 'q', type: 'next', payload: { data: { hello: 'world' } } },
      { id: 'q', type: 'complete' },
    ]);
    expect(deliveries.count).toBe(0);
    expect(client.operations.size).toBe(0);
  });

  it('answers a refused operation with an error frame, formatted, and frees its id', async () => {
    const { protocol, frames } = setup();
    const { send, socket, client } = await acknowledged(protocol);
    send({ id: 'r', type: 'subscribe', payload: { query: 'refused' } });
    await turns();
    expect(parsed(frames).slice(1)).toEqual([
      { id: 'r', type: 'error', payload: [{ message: 'formatted: not you' }] },
    ]);
    expect(client.operations.size).toBe(0);
    send({ id: 'r', type: 'subscribe', payload: { query: '{ hello }' } });
    await turns();
    expect(socket.closedWith).toBeUndefined();
  });

  it('closes with 4500 when setting up an operation throws', async () => {
    const { protocol } = setup();
    const { send, socket } = await acknowledged(protocol);
    send({ id: 't', type: 'subscribe', payload: { query: 'throws' } });
    await turns();
    expect(socket.closedWith).toEqual({ code: 4500, reason: 'Internal server error' });
  });

  it('closes with 4409 a subscribe whose id is in use', async () => {
    const { protocol } = setup();
    const { send, socket } = await acknowledged(protocol);
    send({ id: 's', type: 'subscribe', payload: { query: 'subscription { said }' } });
    await turns();
    send({ id: 's', type: 'subscribe', payload: { query: 'subscription { said }' } });
    await turns();
    expect(socket.closedWith).toEqual({ code: 4409, reason: 'Subscriber for s already exists' });
  });

  it('delivers events as next frames, counted, and completes when the stream ends', async () => {
    const { protocol, frames, deliveries, sources } = setup();
    const { send, client } = await acknowledged(protocol);
    send({ id: 's', type: 'subscribe', payload: { query: 'subscription { said }' } });
    await turns();
    sources[0].push({ text: 'one' });
    await turns();
    sources[0].push({ text: 'two' });
    await turns();
    sources[0].end();
    await turns();
    expect(parsed(frames).slice(1)).toEqual([
      { id: 's', type: 'next', payload: { data: { said: 'one' } } },
      { id: 's', type: 'next', payload: { data: { said: 'two' } } },
      { id: 's', type: 'complete' },
    ]);
    expect(deliveries.count).toBe(2);
    expect(client.operations.size).toBe(0);
  });

  it('gives subscribers of one event the same bytes, each with its own id', async () => {
    const { protocol, frames, sources } = setup();
    const a = await acknowledged(protocol);
    const b = await acknowledged(protocol);
    a.send({ id: 'a', type: 'subscribe', payload: { query: 'subscription { said }' } });
    b.send({ id: 'b', type: 'subscribe', payload: { query: 'subscription { said }' } });
    await turns();
    const event = { text: 'shared "é"' };
    for (const source of sources) source.push(event);
    await turns();
    expect(frames.slice(2)).toEqual(
      ['a', 'b'].map((id) =>
        stringifyMessage({ id, type: MessageType.Next, payload: { data: { said: event.text } } }),
      ),
    );
  });

  it('stops a subscription on the client complete, sending nothing more', async () => {
    const { protocol, frames, sources } = setup();
    const { send, client } = await acknowledged(protocol);
    send({ id: 's', type: 'subscribe', payload: { query: 'subscription { said }' } });
    await turns();
    send({ id: 's', type: 'complete' });
    await turns();
    expect(sources[0].returned).toBe(1);
    expect(client.operations.size).toBe(0);
    sources[0].push({ text: 'late' });
    await turns();
    expect(frames).toHaveLength(1); // the ack only
  });

  it('stops a subscription completed by the client while it was still being set up', async () => {
    let admit!: () => void;
    const admitted = new Promise<void>((resolve) => (admit = resolve));
    const { protocol, frames, sources } = setup({ admit: () => admitted });
    const { send, client } = await acknowledged(protocol);
    send({ id: 's', type: 'subscribe', payload: { query: 'subscription { said }' } });
    await turns();
    send({ id: 's', type: 'complete' });
    await turns();
    admit();
    await turns();
    expect(sources[0].returned).toBe(1);
    expect(frames).toHaveLength(1);
    expect(client.operations.size).toBe(0);
  });

  it("returns every operation's source when the socket closes, also those being set up", async () => {
    let admit!: () => void;
    const admitted = new Promise<void>((resolve) => (admit = resolve));
    const { protocol, sources, closedClients } = setup({
      admit: (id) => (id === 'slow' ? admitted : Promise.resolve()),
    });
    const { send, socket } = await acknowledged(protocol);
    send({ id: 'a', type: 'subscribe', payload: { query: 'subscription { said }' } });
    send({ id: 'b', type: 'subscribe', payload: { query: 'subscription { said }' } });
    send({ id: 'slow', type: 'subscribe', payload: { query: 'subscription { said }' } });
    await turns();
    socket.close(1000, 'bye');
    await turns();
    expect(closedClients).toHaveLength(1);
    expect(sources.map((s) => s.returned)).toEqual([1, 1]);
    admit();
    await turns();
    expect(sources.map((s) => s.returned)).toEqual([1, 1, 1]);
  });

  it('ends a failing stream with an error frame and no complete', async () => {
    const { protocol, frames, sources } = setup();
    const { send, client } = await acknowledged(protocol);
    send({ id: 's', type: 'subscribe', payload: { query: 'subscription { said }' } });
    await turns();
    sources[0].fail(new Error('lost'));
    await turns();
    expect(parsed(frames).slice(1)).toEqual([
      { id: 's', type: 'error', payload: [{ message: 'formatted: lost' }] },
    ]);
    expect(client.operations.size).toBe(0);
  });

  it('answers an operation it cannot identify with an error frame', async () => {
    const { protocol, frames } = setup();
    const { send } = await acknowledged(protocol);
    send({
      id: 'u',
      type: 'subscribe',
      payload: { query: 'subscription { said } query { hello }' },
    });
    await turns();
    expect(parsed(frames).slice(1)).toEqual([
      { id: 'u', type: 'error', payload: [{ message: 'formatted: Unable to identify operation' }] },
    ]);
  });
});
