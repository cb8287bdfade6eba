/**
 * The WebSocket endpoint: graphql-ws (subprotocol graphql-transport-ws) at /graphql on the HTTP
 * port. Wired by hand rather than through Nest's `subscriptions` option, which cannot do what
 * this needs: a frame-size cap (maxPayload), the Origin check at the upgrade, cutting off a slow
 * reader (backpressure), a shared `subscribe` that executes an event once for all its
 * subscribers, a retryable close when the token cannot be checked, and a drain at shutdown.
 * Do not "simplify" it back.
 *
 * The parts, one file each: ws.transport.ts (upgrade, Origin, keep-alive, backpressure, drain),
 * ws.session.ts (token, expiry, connection registry), ws.admission.ts (subscription count, rate
 * limit, parse/validate cache) and shared-subscribe.ts (execution). This file joins them.
 */
import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { getOperationAST, type ExecutionResult } from 'graphql';
import { CloseCode, makeServer } from 'graphql-ws';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { WebSocket } from 'ws';
import { RequestLoaders } from '../common/dataloader/request-loaders.js';
import type { GraphqlContext } from '../common/graphql-context.js';
import { AppConfig } from '../config/app.config.js';
import { jsonDepthExceeds } from '../common/validation/json-depth.js';
import { createFormatError } from '../graphql/format-error.js';
import { GRAPHQL_PATH } from '../graphql/graphql.module.js';
import { AppMetrics } from '../metrics/app.metrics.js';
import { frameOf, sharedPayload } from './shared-frames.js';
import { sharedSubscribe } from './shared-subscribe.js';
import { WsAdmission } from './ws.admission.js';
import { WsSession, type WsExtra } from './ws.session.js';
import { WsTransport } from './ws.transport.js';

const KEEP_ALIVE_MS = 12_000;
/**
 * Subscription fields whose result is the same for every subscriber of an event (who may see it
 * is decided before it is published), so it is computed once per event, not per subscriber. A
 * field listed here must not resolve anything from the viewer (context.user), except through
 * perViewer (common/viewer-fields.ts: `reactedByMe`).
 */
const SHARED_RESULT_FIELDS: ReadonlySet<string> = new Set([
  'messageAdded',
  'conversationEvents',
  'presenceChanged',
]);

@Injectable()
export class GraphqlWsServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('WebSocket');
  private transport?: WsTransport;

  constructor(
    private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
    private readonly schemaHost: GraphQLSchemaHost,
    private readonly session: WsSession,
    private readonly admission: WsAdmission,
    private readonly metrics: AppMetrics,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.servesWebSocket) return;
    const server = this.createGraphqlWsServer();
    const transport = new WsTransport(
      {
        path: GRAPHQL_PATH,
        allowedOrigins: this.config.http.corsOrigins,
        maxPayloadBytes: this.config.ws.maxPayloadBytes,
        maxBufferedBytes: this.config.ws.maxBufferedBytes,
        keepAliveMs: KEEP_ALIVE_MS,
      },
      (socket: WebSocket, req: IncomingMessage) => {
        const extra = this.session.begin(socket, req);
        if (!extra) return;
        const closed = server.opened(
          {
            protocol: socket.protocol,
            send: (data) => transport.send(socket, frameOf(data)),
            close: (code, reason) => socket.close(code, reason),
            onMessage: (cb) =>
              socket.on('message', (data) => {
                const text = String(data);
                // Bounded before graphql-ws parses it, as HTTP bodies are (json-depth.ts).
                if (jsonDepthExceeds(text)) {
                  socket.close(CloseCode.BadRequest, 'JSON nested too deeply');
                  return;
                }
                cb(text).catch((err: unknown) => {
                  this.logger.error({ err }, 'graphql-ws message handling failed');
                  socket.close(CloseCode.InternalServerError, 'Internal server error');
                });
              }),
          },
          extra,
        );
        // `on`: ws emits 'close' once, and `once` would wrap the listener in two more objects.
        socket.on('close', (code, reason) => void closed(code, String(reason)));
      },
    );
    transport.listen(this.adapterHost.httpAdapter.getHttpServer() as HttpServer);
    this.transport = transport;
  }

  /**
   * Closes every socket with 1001 so clients reconnect elsewhere. Runs first in a shutdown (see
   * closeApp), before HTTP draining would cut sockets silently.
   */
  async drain(): Promise<void> {
    await this.transport?.drain();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.drain();
  }

  private createGraphqlWsServer() {
    const formatError = createFormatError({ hideSuggestions: this.config.isProduction });
    const schema = this.schemaHost.schema;
    return makeServer<Record<string, unknown> | undefined, WsExtra>({
      schema,
      // Each event gets fresh DataLoaders: a subscription's context lives as long as it does.
      subscribe: sharedSubscribe(SHARED_RESULT_FIELDS, (context) => ({
        ...(context as GraphqlContext),
        loaders: new RequestLoaders(),
      })),
      connectionInitWaitTimeout: 3000,
      onConnect: (ctx) => this.session.onConnect(ctx),
      onSubscribe: (ctx, _id, payload) => this.admission.admit(schema, ctx, payload),
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatError(e.toJSON(), e)),
      onNext: (_ctx, _id, _payload, args, result: ExecutionResult) => {
        // Once per subscriber per event: the one cost metrics add to a delivery. A query's or
        // mutation's answer on the socket is not a delivery.
        if (getOperationAST(args.document, args.operationName)?.operation === 'subscription') {
          this.metrics.deliveries.inc();
        }
        return result.errors
          ? { ...result, errors: result.errors.map((e) => formatError(e.toJSON(), e)) }
          : sharedPayload(result);
      },
    });
  }
}
