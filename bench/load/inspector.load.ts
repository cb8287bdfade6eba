/**
 * The V8 heap in use by a running instance after a full garbage collection, read through its
 * inspector (opened by SIGUSR1 on the port the instance was started with: --inspect-port). Open it
 * before the load connects: tens of thousands of client sockets take most loopback ports, and
 * the inspector could not bind its own among them later. RSS
 * also counts garbage not yet collected and the heap's spare room, which follow V8's growth
 * heuristics more than what the instance holds (bench/README.md, "Round four: idle memory").
 */
import { createServer } from 'node:net';
import WebSocket from 'ws';
import { sleep } from '../../test/support/wait.js';

/** A loopback port nothing listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function debuggerUrl(port: number): Promise<string> {
  const deadline = Date.now() + 30_000;
  let failure: unknown;
  for (;;) {
    try {
      const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as {
        webSocketDebuggerUrl: string;
      }[];
      if (targets[0]) return targets[0].webSocketDebuggerUrl;
    } catch (error) {
      failure = error; // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(
        `no inspector on port ${port}: ${String((failure as Error)?.cause ?? failure)}`,
      );
    await sleep(100);
  }
}

/** Opens the inspector of the instance `pid` (a no-op once it is open). */
export async function openInspector(pid: number, inspectPort: number): Promise<void> {
  process.kill(pid, 'SIGUSR1');
  await debuggerUrl(inspectPort);
}

/** Collects garbage twice (what a first pass frees may let a second free more), then reads. */
export async function liveHeapBytes(inspectPort: number): Promise<number> {
  const socket = new WebSocket(await debuggerUrl(inspectPort));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  let lastId = 0;
  const call = (method: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = ++lastId;
      const onMessage = (data: WebSocket.RawData) => {
        const reply = JSON.parse(String(data)) as { id?: number; result?: object; error?: object };
        if (reply.id !== id) return;
        socket.off('message', onMessage);
        if (reply.error) reject(new Error(`${method}: ${JSON.stringify(reply.error)}`));
        else resolve(reply.result as Record<string, unknown>);
      };
      socket.on('message', onMessage);
      socket.send(JSON.stringify({ id, method }));
    });
  try {
    await call('HeapProfiler.collectGarbage');
    await call('HeapProfiler.collectGarbage');
    return (await call('Runtime.getHeapUsage')).usedSize as number;
  } finally {
    socket.close();
  }
}
