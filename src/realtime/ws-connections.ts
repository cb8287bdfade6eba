/**
 * The authenticated WebSocket connections open on this instance. Features that care about who is
 * connected (presence) listen here instead of reaching into the socket server.
 */
import { Injectable, Logger } from '@nestjs/common';
import { AppMetrics } from '../metrics/app.metrics.js';

export interface WsConnection {
  id: string;
  userId: string;
}

export interface WsConnectionListener {
  opened(connection: WsConnection): void | Promise<void>;
  closed(connection: WsConnection): void | Promise<void>;
}

@Injectable()
export class WsConnections {
  private readonly open = new Map<string, WsConnection>();
  /** Open connections per user id, for the per-user cap. */
  private readonly perUser = new Map<string, number>();
  private readonly listeners: WsConnectionListener[] = [];
  private readonly logger = new Logger('WsConnections');

  constructor(metrics: AppMetrics) {
    metrics.wsConnections.from(() => this.open.size);
  }

  listen(listener: WsConnectionListener): void {
    this.listeners.push(listener);
  }

  get size(): number {
    return this.open.size;
  }

  /** How many connections `userId` has open on this instance. */
  countOf(userId: string): number {
    return this.perUser.get(userId) ?? 0;
  }

  all(): IterableIterator<WsConnection> {
    return this.open.values();
  }

  async opened(connection: WsConnection): Promise<void> {
    this.open.set(connection.id, connection);
    this.perUser.set(connection.userId, this.countOf(connection.userId) + 1);
    await this.notify((l) => l.opened(connection));
  }

  async closed(connectionId: string): Promise<void> {
    const connection = this.open.get(connectionId);
    if (!connection) return;
    this.open.delete(connectionId);
    const left = this.countOf(connection.userId) - 1;
    if (left > 0) this.perUser.set(connection.userId, left);
    else this.perUser.delete(connection.userId);
    await this.notify((l) => l.closed(connection));
  }

  /** A failing listener (say, Redis down) must not refuse or break the connection. */
  private async notify(
    call: (listener: WsConnectionListener) => void | Promise<void>,
  ): Promise<void> {
    const results = await Promise.allSettled(this.listeners.map(async (l) => call(l)));
    for (const result of results) {
      if (result.status === 'rejected')
        this.logger.warn(`connection listener failed: ${String(result.reason)}`);
    }
  }
}
