/**
 * The server side of the graphql-transport-ws protocol, in place of graphql-ws's makeServer,
 * with the same behaviour towards clients (its close codes and reasons, frames, and order). It
 * exists for memory: a socket idles for hours with a subscription or two, and graphql-ws kept per
 * socket its context, a connection-init Timeout its close callback holds, a suspended async
 * function per message and a `for await` per subscription with their closures — most of an idle
 * connection (bench/README.md, "Round three: the socket protocol server"). Here a socket is one
 * small object (its phase and a Map of operations), an operation one object, a subscription is
 * driven with `next().then(…)`, and the init deadlines share one timer. The message shapes and
 * their validation remain graphql-ws's (parseMessage, stringifyMessage, MessageType, CloseCode).
 */
import { Logger } from '@nestjs/common';
import {
  GraphQLError,
  execute,
  getOperationAST,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLFormattedError,
} from 'graphql';
import {
  CloseCode,
  GRAPHQL_TRANSPORT_WS_PROTOCOL,
  MessageType,
  parseMessage,
  stringifyMessage,
  type Message,
  type SubscribePayload,
} from 'graphql-ws';
import type { WebSocket } from 'ws';
import { jsonDepthExceeds } from '../common/validation/json-depth.js';
import { nextFrame } from './shared-frames.js';
import { EventStream } from './shared-subscribe.js';

/** Where a socket is in the protocol ('initialising': connection_init awaits onConnect). */
export type Phase = 'awaiting-init' | 'initialising' | 'acknowledged';

/** A socket's protocol state; the session (ws.session.ts) adds its own fields. */
export interface ProtocolClient {
  readonly socket: WebSocket;
  phase: Phase;
  /** Operations by id, from their subscribe until they end (set up or running). */
  readonly operations: Map<string, Operation>;
}

/** One operation of a socket. Current while `client.operations.get(id)` is this object. */
export interface Operation {
  readonly id: string;
  /** Set once a subscription's stream runs; its source's return() stops it. */
  stream?: EventStream;
  subscription?: boolean;
}

export interface ProtocolHooks<C extends ProtocolClient> {
  /** connection_init: true acknowledges it, false closes with 4403. */
  onConnect(client: C, params: Record<string, unknown> | undefined): Promise<boolean>;
  /** subscribe: the arguments to execute with, or the errors that refuse this operation. */
  onSubscribe(
    client: C,
    id: string,
    payload: SubscribePayload,
  ): Promise<ExecutionArgs | readonly GraphQLError[]>;
  /** A subscription's event stream, or the result that ends it at once. */
  subscribe(args: ExecutionArgs): Promise<EventStream | ExecutionResult>;
  formatError(error: GraphQLError): GraphQLFormattedError;
  /** Each `next` of a subscription (not a query's or mutation's answer). */
  onDelivery(): void;
  /** Sends one frame (backpressure is the transport's). */
  send(socket: WebSocket, data: string | Buffer): void;
  /** After the socket closed and its operations were stopped. */
  onClosed(client: C): void;
}

const INIT_WAIT_MS = 3000;
const ACK = stringifyMessage({ type: MessageType.ConnectionAck });
const PONG = stringifyMessage({ type: MessageType.Pong });

const isErrors = (value: unknown): value is readonly GraphQLError[] =>
  Array.isArray(value) && value.length > 0 && value.every((e) => e instanceof GraphQLError);

export class WsProtocol<C extends ProtocolClient> {
  private readonly logger = new Logger('WebSocket');
  private readonly clients = new WeakMap<WebSocket, C>();
  /** Sockets yet to send connection_init → their deadline; insertion order is deadline order. */
  private readonly awaitingInit = new Map<C, number>();
  private initTimer?: NodeJS.Timeout;
  /** Shared by every socket (an emitter calls its listeners with itself as `this`). */
  private readonly onMessage: (this: WebSocket, data: unknown) => void;
  private readonly onClose: (this: WebSocket) => void;

  constructor(private readonly hooks: ProtocolHooks<C>) {
    const clients = this.clients;
    const server = this; // eslint-disable-line @typescript-eslint/no-this-alias
    this.onMessage = function (this: WebSocket, data: unknown) {
      const client = clients.get(this);
      if (client) server.received(client, String(data));
    };
    this.onClose = function (this: WebSocket) {
      const client = clients.get(this);
      if (client) server.closed(client);
    };
  }

  /** Takes over a new socket; `client` is its state. */
  open(client: C): void {
    const { socket } = client;
    if (socket.protocol !== GRAPHQL_TRANSPORT_WS_PROTOCOL) {
      socket.close(CloseCode.SubprotocolNotAcceptable, 'Subprotocol not acceptable');
    }
    this.clients.set(socket, client);
    // `on`: ws emits 'close' once, and `once` would wrap the listener in two more objects.
    socket.on('close', this.onClose);
    if (socket.protocol !== GRAPHQL_TRANSPORT_WS_PROTOCOL) return;
    socket.on('message', this.onMessage);
    this.awaitingInit.set(client, Date.now() + INIT_WAIT_MS);
    this.armInitTimer();
  }

  private received(client: C, text: string): void {
    // Bounded before it is parsed, as HTTP bodies are (json-depth.ts).
    if (jsonDepthExceeds(text)) {
      client.socket.close(CloseCode.BadRequest, 'JSON nested too deeply');
      return;
    }
    let message: Message;
    try {
      message = parseMessage(text);
    } catch {
      client.socket.close(CloseCode.BadRequest, 'Invalid message received');
      return;
    }
    this.handle(client, message).catch((err: unknown) => {
      this.logger.error({ err }, 'WebSocket message handling failed');
      client.socket.close(CloseCode.InternalServerError, 'Internal server error');
    });
  }

  private async handle(client: C, message: Message): Promise<void> {
    const { socket } = client;
    switch (message.type) {
      case MessageType.ConnectionInit: {
        if (client.phase !== 'awaiting-init') {
          socket.close(CloseCode.TooManyInitialisationRequests, 'Too many initialisation requests');
          return;
        }
        client.phase = 'initialising';
        this.awaitingInit.delete(client);
        const { payload } = message;
        const params = isObject(payload) ? payload : undefined;
        if (!(await this.hooks.onConnect(client, params))) {
          socket.close(CloseCode.Forbidden, 'Forbidden');
          return;
        }
        client.phase = 'acknowledged';
        this.hooks.send(socket, ACK);
        return;
      }
      case MessageType.Ping:
        this.hooks.send(
          socket,
          message.payload
            ? stringifyMessage({ type: MessageType.Pong, payload: message.payload })
            : PONG,
        );
        return;
      case MessageType.Pong:
        return;
      case MessageType.Subscribe:
        return this.subscribe(client, message.id, message.payload);
      case MessageType.Complete: {
        const operation = client.operations.get(message.id);
        if (!operation) return;
        client.operations.delete(message.id);
        await operation.stream?.source.return?.();
        return;
      }
      default:
        throw new Error(`Unexpected message of type ${message.type} received`);
    }
  }

  private async subscribe(client: C, id: string, payload: SubscribePayload): Promise<void> {
    const { socket, operations } = client;
    if (client.phase !== 'acknowledged') {
      socket.close(CloseCode.Unauthorized, 'Unauthorized');
      return;
    }
    if (operations.has(id)) {
      socket.close(CloseCode.SubscriberAlreadyExists, `Subscriber for ${id} already exists`);
      return;
    }
    const operation: Operation = { id };
    operations.set(id, operation);
    const current = () => operations.get(id) === operation;
    try {
      const admitted = await this.hooks.onSubscribe(client, id, payload);
      if (isErrors(admitted)) {
        if (current()) this.sendErrors(socket, id, admitted);
        return;
      }
      if (Array.isArray(admitted)) throw new Error('onSubscribe answered an empty error list');
      const args = admitted as ExecutionArgs;
      const ast = getOperationAST(args.document, args.operationName);
      if (!ast) {
        if (current())
          this.sendErrors(socket, id, [new GraphQLError('Unable to identify operation')]);
        return;
      }
      operation.subscription = ast.operation === 'subscription';
      const result = operation.subscription
        ? await this.hooks.subscribe(args)
        : await execute(args);
      if (!(result instanceof EventStream)) {
        if (!current()) return;
        this.sendNext(client, operation, result);
        this.hooks.send(socket, stringifyMessage({ id, type: MessageType.Complete }));
        return;
      }
      // Completed by the client, or the socket closed, while it was set up.
      if (!current()) {
        void result.source.return?.();
        return;
      }
      operation.stream = result;
      this.pull(client, operation);
    } finally {
      // Ended unless its stream runs (an error thrown here closes the socket with 4500).
      if (current() && !operation.stream) operations.delete(id);
    }
  }

  /** Waits for the subscription's next event; one at a time, as a `for await` would. */
  private pull(client: C, operation: Operation): void {
    operation.stream!.source.next().then(
      (step) => this.step(client, operation, step),
      (error: unknown) => this.failed(client, operation, error),
    );
  }

  private step(client: C, operation: Operation, step: IteratorResult<unknown>): void {
    if (client.operations.get(operation.id) !== operation) return;
    if (step.done) {
      client.operations.delete(operation.id);
      this.hooks.send(
        client.socket,
        stringifyMessage({ id: operation.id, type: MessageType.Complete }),
      );
      return;
    }
    let result: ExecutionResult | Promise<ExecutionResult>;
    try {
      result = operation.stream!.resultOf(step.value);
    } catch (error) {
      return this.failed(client, operation, error, true);
    }
    if (!(result instanceof Promise)) return this.deliver(client, operation, result);
    result.then(
      (executed) => this.deliver(client, operation, executed),
      (error: unknown) => this.failed(client, operation, error, true),
    );
  }

  private deliver(client: C, operation: Operation, result: ExecutionResult): void {
    if (client.operations.get(operation.id) !== operation) return;
    this.sendNext(client, operation, result);
    this.pull(client, operation);
  }

  /** The stream failed: an error frame ends the operation (no `complete`, as graphql-ws). */
  private failed(client: C, operation: Operation, error: unknown, stopSource = false): void {
    if (client.operations.get(operation.id) !== operation) return;
    client.operations.delete(operation.id);
    if (stopSource) operation.stream!.source.return?.().catch(() => undefined);
    const originalError = error instanceof Error ? error : new Error(String(error));
    const graphqlError = new GraphQLError(originalError.message, { originalError });
    this.sendErrors(client.socket, operation.id, [graphqlError]);
  }

  private sendNext(client: C, operation: Operation, result: ExecutionResult): void {
    // Once per subscriber per event: the one cost metrics add to a delivery.
    if (operation.subscription) this.hooks.onDelivery();
    const payload = result.errors
      ? { ...result, errors: result.errors.map((e) => this.hooks.formatError(e)) }
      : result;
    this.hooks.send(client.socket, nextFrame(operation.id, payload as ExecutionResult));
  }

  private sendErrors(socket: WebSocket, id: string, errors: readonly GraphQLError[]): void {
    const payload = errors.map((e) => this.hooks.formatError(e));
    this.hooks.send(socket, stringifyMessage({ id, type: MessageType.Error, payload }));
  }

  /** Every running operation's source is returned; those being set up see they ended. */
  private closed(client: C): void {
    this.clients.delete(client.socket);
    this.awaitingInit.delete(client);
    const running = [...client.operations.values()];
    client.operations.clear();
    for (const { stream } of running) {
      stream?.source.return?.().catch((err: unknown) => {
        this.logger.warn({ err }, 'a subscription failed to stop');
      });
    }
    this.hooks.onClosed(client);
  }

  private armInitTimer(): void {
    if (this.initTimer || this.awaitingInit.size === 0) return;
    const first = this.awaitingInit.values().next().value!;
    this.initTimer = setTimeout(() => this.expireInits(), Math.max(0, first - Date.now()));
    this.initTimer.unref();
  }

  /** 4408 for every socket past its deadline without connection_init. */
  private expireInits(): void {
    this.initTimer = undefined;
    const now = Date.now();
    for (const [client, deadline] of this.awaitingInit) {
      if (deadline > now) break;
      this.awaitingInit.delete(client);
      client.socket.close(
        CloseCode.ConnectionInitialisationTimeout,
        'Connection initialisation timeout',
      );
    }
    this.armInitTimer();
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
