/**
 * The WebSocket transport under the protocol server (ws.protocol.ts): the upgrade at GRAPHQL_PATH (Origins outside
 * CORS_ORIGINS refused before a socket exists), frames capped at WS_MAX_PAYLOAD_BYTES (ws closes
 * with 1009), keep-alive pings, a slow reader cut off once its unsent data passes
 * WS_MAX_BUFFERED_BYTES, and the drain at shutdown (1001 to every socket). Knows nothing of
 * GraphQL or users.
 */
import { Logger } from '@nestjs/common';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CLOSE_GOING_AWAY } from './close-codes.js';

export interface WsTransportOptions {
  path: string;
  /** The subprotocol spoken here: chosen whenever a client offers it. */
  protocol: string;
  /** Browser Origins allowed to open a socket; empty: any. */
  allowedOrigins: readonly string[];
  maxPayloadBytes: number;
  maxBufferedBytes: number;
  keepAliveMs: number;
}

/** Keep-alive ticks per round (see pingSlot). */
const PING_SLOTS = 12;
/** Sockets pinged and not answered since (a socket's own flag, without a closure per socket). */
const awaitingPong = new WeakSet<WebSocket>();
/** Shared by every socket: an emitter calls its listeners with itself as `this`. */
function onPong(this: WebSocket): void {
  awaitingPong.delete(this);
}
function onError(this: WebSocket): void {
  this.terminate();
}

const TEXT_FRAME = { binary: false } as const;

/** How long sockets get to finish the close handshake at shutdown before they are cut. */
const DRAIN_MS = 1000;

export class WsTransport {
  private readonly logger = new Logger('WebSocket');
  private readonly wss: WebSocketServer;
  private httpServer?: HttpServer;
  private draining?: Promise<void>;
  private readonly keepAlive: NodeJS.Timeout;
  /**
   * Every open socket, by the tick of the keep-alive round at which it is pinged (see pingSlot);
   * a socket leaves its slot when it closes.
   */
  private readonly pingSlots = Array.from({ length: PING_SLOTS }, () => new Set<WebSocket>());
  private nextSlot = 0;
  private tick = 0;
  /** TCP sockets corked in this tick, uncorked together once it ends (see send). */
  private readonly corked: Socket[] = [];
  private readonly uncorkAll = () => {
    for (const raw of this.corked) raw.uncork();
    this.corked.length = 0;
  };
  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) =>
    this.handleUpgrade(req, socket, head);

  constructor(
    private readonly options: WsTransportOptions,
    onSocket: (socket: WebSocket, req: IncomingMessage) => void,
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxPayloadBytes,
      // The protocol's own messages are small JSON: compression costs CPU and memory per socket.
      perMessageDeflate: false,
      // The ping slots hold every open socket already; ws's own set would add an entry, a close
      // listener and a closure per socket (bench/README.md, "Round four: idle memory").
      clientTracking: false,
      // ws would pick the first protocol offered, a fresh copy of the header's text per socket;
      // ours is one shared string. Offered only others: the first, as ws does, for the protocol
      // server to refuse with 4406 after the handshake.
      handleProtocols: (offered: Set<string>) =>
        offered.has(options.protocol) ? options.protocol : offered.values().next().value!,
    });
    const pingSlots = this.pingSlots;
    /** Shared by every socket (an emitter calls its listeners with itself as `this`). */
    function leaveSlot(this: WebSocket): void {
      for (const slot of pingSlots) if (slot.delete(this)) return;
    }
    this.wss.on('connection', (socket: WebSocket, req: IncomingMessage) => {
      socket.on('pong', onPong);
      socket.on('error', onError);
      socket.on('close', leaveSlot);
      pingSlots[this.nextSlot++ % PING_SLOTS].add(socket);
      onSocket(socket, req);
    });
    this.keepAlive = setInterval(
      () => this.pingSlot(pingSlots[this.tick++ % PING_SLOTS]),
      options.keepAliveMs / PING_SLOTS,
    ).unref();
  }

  /** Takes upgrades from the HTTP server from now on. */
  listen(httpServer: HttpServer): void {
    this.httpServer = httpServer;
    httpServer.on('upgrade', this.onUpgrade);
  }

  /** Sends one frame, unless the reader is so far behind that it is cut off instead. */
  send(socket: WebSocket, data: string | Buffer): void {
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > this.options.maxBufferedBytes) {
      // A client that does not read would make us hold every event for it: cut it off instead.
      this.logger.warn('closing a slow reader');
      socket.terminate();
      return;
    }
    // Frames for one socket in one tick (a mutation's `next` and `complete`, events that came in
    // one Redis read) leave in one write: each ws frame is otherwise a writev of its own, and
    // writev was a quarter of the server's busy time in the delivery scenario (bench/README.md).
    // `_socket` is ws's TCP socket; ws corks it itself around each frame, which nests.
    const raw = (socket as unknown as { _socket?: Socket })._socket;
    if (raw && raw.writableCorked === 0) {
      raw.cork();
      if (this.corked.push(raw) === 1) process.nextTick(this.uncorkAll);
    }
    // A Buffer is a frame already encoded (shared-frames.ts), still a text frame.
    socket.send(data, TEXT_FRAME);
  }

  /**
   * Stops taking new sockets and closes the open ones with 1001 ("going away") so clients
   * reconnect elsewhere; sockets that ignore the close handshake are cut after a second.
   */
  drain(): Promise<void> {
    this.draining ??= (async () => {
      this.httpServer?.off('upgrade', this.onUpgrade);
      clearInterval(this.keepAlive);
      const open = this.pingSlots.flatMap((slot) => [...slot]);
      const closed = open.map(
        (socket) =>
          new Promise<void>((resolve) => {
            socket.once('close', () => resolve());
            socket.close(CLOSE_GOING_AWAY, 'Server shutting down');
          }),
      );
      await Promise.race([
        Promise.all(closed),
        new Promise((resolve) => setTimeout(resolve, DRAIN_MS)),
      ]);
      for (const socket of open) socket.terminate(); // a no-op for those closed meanwhile
      await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    })();
    return this.draining;
  }

  private handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? '').split('?')[0];
    if (path !== this.options.path) {
      socket.destroy();
      return;
    }
    const origin = req.headers.origin;
    const allowed = this.options.allowedOrigins;
    // No Origin header: not a browser (native apps, servers), which CORS does not concern.
    if (origin && allowed.length > 0 && !allowed.includes(origin)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
  }

  /**
   * Pings so dead peers (and the proxies between) are noticed; no pong since its last ping →
   * terminate. One timer for every socket, each tick taking one slot of PING_SLOTS, so each
   * socket is pinged every keepAliveMs: a timer and a closure per socket were a share of an idle
   * connection's memory and wake-ups (bench/README.md, round two), and a slot per tick spreads
   * the writes (and their garbage) over the round instead of one burst of tens of thousands.
   */
  private pingSlot(slot: Set<WebSocket>): void {
    for (const socket of slot) {
      if (awaitingPong.has(socket)) {
        socket.terminate();
        continue;
      }
      awaitingPong.add(socket);
      socket.ping();
    }
  }
}
