/**
 * The WebSocket endpoint: the graphql-transport-ws protocol (graphql-ws's, spoken by our own
 * server: ws.protocol.ts) at /graphql on the HTTP port. Wired by hand rather than through Nest's
 * `subscriptions` option, which cannot do what this needs: a frame-size cap (maxPayload), the
 * Origin check at the upgrade, cutting off a slow reader (backpressure), a shared `subscribe`
 * that executes an event once for all its subscribers, a retryable close when the token cannot be
 * checked, a drain at shutdown, and little memory per idle socket. Do not "simplify" it back.
 *
 * The parts, one file each: ws.transport.ts (upgrade, Origin, keep-alive, backpressure, drain),
 * ws.protocol.ts (the protocol's messages and operations), ws.session.ts (token, expiry,
 * connection registry), ws.admission.ts (subscription count, rate limit, parse/validate cache)
 * and shared-subscribe.ts (execution). This file joins them.
 */
import {
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { GRAPHQL_TRANSPORT_WS_PROTOCOL } from 'graphql-ws';
import type { WebSocket } from 'ws';
import { RequestLoaders } from '../common/dataloader/request-loaders.js';
import type { GraphqlContext } from '../common/graphql-context.js';
import { AppConfig } from '../config/app.config.js';
import { createFormatError } from '../graphql/format-error.js';
import { GRAPHQL_PATH } from '../graphql/graphql.module.js';
import { AppMetrics } from '../metrics/app.metrics.js';
import { sharedSubscribe } from './shared-subscribe.js';
import { WsAdmission } from './ws.admission.js';
import { WsProtocol } from './ws.protocol.js';
import { WsSession, type WsClient } from './ws.session.js';
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
    const transport = new WsTransport(
      {
        path: GRAPHQL_PATH,
        protocol: GRAPHQL_TRANSPORT_WS_PROTOCOL,
        allowedOrigins: this.config.http.corsOrigins,
        maxPayloadBytes: this.config.ws.maxPayloadBytes,
        maxBufferedBytes: this.config.ws.maxBufferedBytes,
        keepAliveMs: KEEP_ALIVE_MS,
      },
      (socket: WebSocket, req: IncomingMessage) => {
        const client = this.session.begin(socket, req);
        if (client) protocol.open(client);
      },
    );
    const protocol = this.createProtocol(transport);
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

  private createProtocol(transport: WsTransport): WsProtocol<WsClient> {
    const formatError = createFormatError({ hideSuggestions: this.config.isProduction });
    const schema = this.schemaHost.schema;
    const deliveries = this.metrics.deliveries;
    return new WsProtocol<WsClient>({
      // Each event gets fresh DataLoaders: a subscription's context lives as long as it does.
      subscribe: sharedSubscribe(SHARED_RESULT_FIELDS, (context) => ({
        ...(context as GraphqlContext),
        loaders: new RequestLoaders(),
      })),
      onConnect: (client, params) => this.session.onConnect(client, params),
      onSubscribe: (client, _id, payload) => this.admission.admit(schema, client, payload),
      formatError: (error) => formatError(error.toJSON(), error),
      onDelivery: () => deliveries.inc(),
      send: (socket, data) => transport.send(socket, data),
      onClosed: (client) => this.session.end(client),
    });
  }
}
