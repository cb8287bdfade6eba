/**
 * The WebSocket endpoint: graphql-ws (subprotocol graphql-transport-ws) at /graphql on the HTTP
 * port, wired by hand (not through Nest's default) so the socket can be guarded:
 * - the token is checked at connection_init (4403 when missing or bad; 4408 when no init in 3 s),
 *   and the socket closes with 4401 when the token expires;
 * - Origins outside CORS_ORIGINS are refused at the upgrade; frames over WS_MAX_PAYLOAD_BYTES
 *   close the socket with 1009; at most WS_MAX_SUBSCRIPTIONS operations per connection;
 * - a slow reader whose unsent data passes WS_MAX_BUFFERED_BYTES is disconnected;
 * - on shutdown, sockets close with 1001 so clients reconnect to another instance.
 */
import {
  Injectable,
  Logger,
  OnApplicationBootstrap,
  BeforeApplicationShutdown,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { GraphQLError, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { CloseCode, makeServer } from 'graphql-ws';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { TokenService } from '../auth/token.service.js';
import type { AuthUser } from '../common/auth/auth-user.js';
import { RequestLoaders } from '../common/dataloader/request-loaders.js';
import { DomainError } from '../common/errors/domain-error.js';
import { AppConfig } from '../config/app.config.js';
import { RateLimiter } from '../rate-limit/rate-limiter.js';
import { DocumentCache } from './document-cache.js';
import { sharedSubscribe } from './shared-subscribe.js';
import { createFormatError } from './format-error.js';
import { parseLimited, validateLimited } from './query-limits.js';
import type { GraphqlContext } from '../common/graphql-context.js';
import { WsConnections } from './ws-connections.js';

export const GRAPHQL_PATH = '/graphql';
const KEEP_ALIVE_MS = 12_000;
/**
 * Subscription fields whose result is the same for every subscriber of an event (who may see it
 * is decided before it is published), so it is computed once per event, not per subscriber. A
 * field listed here must not resolve anything from the viewer (context.user).
 */
const SHARED_RESULT_FIELDS: ReadonlySet<string> = new Set(['messageAdded', 'presenceChanged']);
const CLOSE_TOKEN_EXPIRED = 4401;

interface Extra {
  socket: WebSocket;
  connectionId: string;
  user?: AuthUser;
}

@Injectable()
export class GraphqlWsServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('WebSocket');
  private wss?: WebSocketServer;
  private draining?: Promise<void>;
  private httpServer?: HttpServer;
  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) =>
    this.handleUpgrade(req, socket, head);

  constructor(
    private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
    private readonly schemaHost: GraphQLSchemaHost,
    private readonly tokens: TokenService,
    private readonly connections: WsConnections,
    private readonly rateLimiter: RateLimiter,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.servesWebSocket) return;
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.config.ws.maxPayloadBytes,
      // The protocol's own messages are small JSON: compression costs CPU and memory per socket.
      perMessageDeflate: false,
    });
    const server = this.createGraphqlWsServer();
    this.wss.on('connection', (socket: WebSocket) => {
      const extra: Extra = { socket, connectionId: randomUUID() };
      const closed = server.opened(
        {
          protocol: socket.protocol,
          send: (data) => this.send(socket, data),
          close: (code, reason) => socket.close(code, reason),
          onMessage: (cb) =>
            socket.on('message', (data) => {
              cb(String(data)).catch((err: unknown) => {
                this.logger.error({ err }, 'graphql-ws message handling failed');
                socket.close(CloseCode.InternalServerError, 'Internal server error');
              });
            }),
        },
        extra,
      );
      const keepAlive = this.keepAlive(socket);
      socket.once('close', (code, reason) => {
        clearInterval(keepAlive);
        void closed(code, String(reason));
        void this.connections.closed(extra.connectionId);
      });
      socket.on('error', () => socket.terminate());
    });
    this.httpServer = this.adapterHost.httpAdapter.getHttpServer() as HttpServer;
    this.httpServer.on('upgrade', this.onUpgrade);
  }

  /**
   * Stops taking new sockets and closes the open ones with 1001 ("going away") so clients
   * reconnect elsewhere; sockets that ignore the close handshake are cut after a second.
   * Runs first in a shutdown (see closeApp), before HTTP draining would cut sockets silently.
   */
  drain(): Promise<void> {
    this.draining ??= (async () => {
      const wss = this.wss;
      if (!wss) return;
      this.httpServer?.off('upgrade', this.onUpgrade);
      const closed = [...wss.clients].map(
        (socket) =>
          new Promise<void>((resolve) => {
            socket.once('close', () => resolve());
            socket.close(1001, 'Server shutting down');
          }),
      );
      await Promise.race([
        Promise.all(closed),
        new Promise((resolve) => setTimeout(resolve, 1000)),
      ]);
      for (const socket of wss.clients) socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    })();
    return this.draining;
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.drain();
  }

  private handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? '').split('?')[0];
    if (path !== GRAPHQL_PATH) {
      socket.destroy();
      return;
    }
    const origin = req.headers.origin;
    const allowed = this.config.http.corsOrigins;
    // No Origin header: not a browser (native apps, servers), which CORS does not concern.
    if (origin && allowed.length > 0 && !allowed.includes(origin)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss!.handleUpgrade(req, socket, head, (ws) => this.wss!.emit('connection', ws, req));
  }

  private send(socket: WebSocket, data: string): Promise<void> {
    if (socket.readyState !== socket.OPEN) return Promise.resolve();
    if (socket.bufferedAmount > this.config.ws.maxBufferedBytes) {
      // A client that does not read would make us hold every event for it: cut it off instead.
      this.logger.warn('closing a slow reader');
      socket.terminate();
      return Promise.resolve();
    }
    socket.send(data);
    return Promise.resolve();
  }

  /** Pings so dead peers (and the proxies between) are noticed; no pong in time → terminate. */
  private keepAlive(socket: WebSocket): NodeJS.Timeout {
    let alive = true;
    socket.on('pong', () => (alive = true));
    return setInterval(() => {
      if (!alive) return socket.terminate();
      alive = false;
      socket.ping();
    }, KEEP_ALIVE_MS).unref();
  }

  private createGraphqlWsServer() {
    const formatError = createFormatError({ hideSuggestions: this.config.isProduction });
    // Clients send the same few operations again and again: parse and validate each text once.
    const documents = new DocumentCache(parseLimited, validateLimited);
    const schema = this.schemaHost.schema;
    return makeServer<Record<string, unknown>, Extra>({
      schema,
      // Each event gets fresh DataLoaders: a subscription's context lives as long as it does.
      subscribe: sharedSubscribe(SHARED_RESULT_FIELDS, (context) => ({
        ...(context as GraphqlContext),
        loaders: new RequestLoaders(),
      })),
      connectionInitWaitTimeout: 3000,
      onConnect: async (ctx) => {
        try {
          const user = await this.tokens.verifyBearer(ctx.connectionParams?.authorization);
          // The socket may have closed while the token was checked; registering it now would
          // leave a connection nobody closes (and its user forever online).
          if (ctx.extra.socket.readyState !== ctx.extra.socket.OPEN) return false;
          ctx.extra.user = user;
          this.closeWhenTokenExpires(ctx.extra.socket, user);
          await this.connections.opened({
            id: ctx.extra.connectionId,
            userId: user.id,
            openedAt: new Date(),
          });
          return true;
        } catch {
          return false; // graphql-ws closes with 4403 Forbidden
        }
      },
      onSubscribe: async (ctx, _id, payload): Promise<ExecutionArgs | readonly GraphQLError[]> => {
        // graphql-ws has already reserved the slot of the operation being started.
        if (Object.keys(ctx.subscriptions).length > this.config.ws.maxSubscriptions) {
          const limit = `At most ${this.config.ws.maxSubscriptions} operations per connection`;
          return [refusal(new DomainError('TOO_MANY_REQUESTS', limit))];
        }
        try {
          await this.rateLimiter.consume('subscriptions', ctx.extra.connectionId);
        } catch (error) {
          return [refusal(error as DomainError)];
        }
        // Parsed and validated here rather than by graphql-ws, which closes the whole socket
        // (4500) on a syntax error instead of answering the one operation.
        let document: DocumentNode;
        try {
          document = documents.parse(payload.query);
        } catch (error) {
          if (!(error instanceof GraphQLError)) throw error;
          return [
            new GraphQLError(error.message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } }),
          ];
        }
        const errors = documents.validate(schema, document);
        if (errors.length > 0) return errors;
        const contextValue: GraphqlContext = {
          user: ctx.extra.user,
          loaders: new RequestLoaders(),
        };
        return {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue,
        };
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatError(e.toJSON(), e)),
      onNext: (_ctx, _id, _payload, _args, result: ExecutionResult) =>
        result.errors
          ? { ...result, errors: result.errors.map((e) => formatError(e.toJSON(), e)) }
          : undefined,
    });
  }

  private closeWhenTokenExpires(socket: WebSocket, user: AuthUser): void {
    let timer: NodeJS.Timeout;
    const schedule = () => {
      const ms = user.expiresAt * 1000 - Date.now();
      // setTimeout cannot wait longer than 2^31-1 ms; long-lived tokens re-arm.
      if (ms <= 0) return socket.close(CLOSE_TOKEN_EXPIRED, 'Token expired');
      timer = setTimeout(schedule, Math.min(ms, 2 ** 31 - 1)).unref();
    };
    schedule();
    socket.once('close', () => clearTimeout(timer));
  }
}

/** An operation refused before it starts, carrying the domain error for format-error. */
function refusal(error: DomainError): GraphQLError {
  return new GraphQLError(error.message, { originalError: error });
}
