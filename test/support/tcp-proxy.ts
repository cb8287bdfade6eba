/**
 * A TCP proxy a test can cut and restore, to put an outage between the app and PostgreSQL or
 * Redis, or stall (a partition, a paused server: connections stay open and nothing answers).
 */
import net from 'node:net';

export interface TcpProxy {
  port: number;
  /** Drops every open connection and refuses new ones. */
  cut(): void;
  restore(): void;
  /**
   * Keeps every connection open (and accepts new ones) but forwards nothing either way until
   * resume(); what was sent meanwhile is delivered then, in order, as a paused server would.
   */
  stall(): void;
  resume(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  let up = true;
  let stalled = false;
  const sockets = new Set<net.Socket>();
  /** Each direction of each open connection. */
  const links = new Set<{ from: net.Socket; to: net.Socket }>();
  const server = net.createServer((client) => {
    if (!up) return client.destroy();
    const upstream = net.connect(targetPort, targetHost);
    const own = [
      { from: client, to: upstream },
      { from: upstream, to: client },
    ];
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    for (const link of own) {
      links.add(link);
      if (stalled) link.from.pause();
      else link.from.pipe(link.to);
    }
    client.on('close', () => {
      upstream.destroy();
      for (const link of own) links.delete(link);
    });
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    cut() {
      up = false;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      up = true;
    },
    stall() {
      if (stalled) return;
      stalled = true;
      // Unpiped first: a piped source that is only paused resumes when its destination drains.
      for (const { from, to } of links) {
        from.unpipe(to);
        from.pause();
      }
    },
    resume() {
      if (!stalled) return;
      stalled = false;
      for (const { from, to } of links) from.pipe(to);
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
