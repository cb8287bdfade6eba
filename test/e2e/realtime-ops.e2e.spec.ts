/**
 * Operating the real-time endpoint: no leaked subscriptions after abrupt disconnects, the api and
 * realtime roles working together, graceful SIGTERM (1001, then resume elsewhere), and the
 * socket's guards (frame size, subscriptions per connection, Origin, slow readers).
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { EventBus } from '../../src/pubsub/event-bus.js';
import { WsConnections } from '../../src/realtime/ws-connections.js';
import {
  clusterEnv,
  spawnApp,
  startApp,
  uniqueRedisPrefix,
  type InProcessApp,
} from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { REDIS_URL } from '../support/env.js';
import { createConversation, MESSAGE_ADDED, RESUME, sendMessage } from '../support/factories.js';
import { gql, registerUser, registerUsers, type TestUser } from '../support/gql.js';
import {
  connectWs,
  sleep,
  subscribe,
  subscriptionErrorCode,
  waitForSubscriptions,
  waitUntil,
} from '../support/ws.js';

let db: TestDatabase;
let redis: Redis;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  redis?.disconnect();
  await db?.drop();
});

/** Opens a raw graphql-ws socket, authenticates and starts one subscription. */
function rawSubscriber(wsUrl: string, token: string, query: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
    socket.once('error', reject);
    socket.once('open', () =>
      socket.send(
        JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }),
      ),
    );
    socket.on('message', (data) => {
      if (JSON.parse(String(data)).type === 'connection_ack') {
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query } }));
        resolve(socket);
      }
    });
  });
}

describe('abrupt disconnects', () => {
  it('returns Redis subscriptions and server listeners to where they started after 1,000 cycles', async () => {
    const prefix = uniqueRedisPrefix();
    const app = await startApp(clusterEnv(db.url, prefix));
    cleanups.push(() => app.close());
    const bus = app.app.get(EventBus);
    const connections = app.app.get(WsConnections);
    const users = await registerUsers(app.url, Array(5).fill('cycler'));
    const channelCount = async () =>
      ((await redis.pubsub('CHANNELS', `${prefix}*`)) as string[]).length;
    const baseline = {
      bus: bus.activeSubscriptions,
      channels: await channelCount(),
      connections: connections.size,
    };

    for (let batch = 0; batch < 20; batch++) {
      const sockets = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          rawSubscriber(app.wsUrl, users[i % 5].token, `subscription { messageAdded { id } }`),
        ),
      );
      // Every other batch is cut only once its subscriptions are live; the others mid-setup.
      if (batch % 2 === 0) {
        await waitUntil(
          () => bus.activeSubscriptions === baseline.bus + 50,
          'subscriptions to be live',
        );
        // Live on Redis too (a channel per user), and every socket counted.
        expect(await channelCount()).toBeGreaterThanOrEqual(baseline.channels + users.length);
        expect(connections.size).toBe(baseline.connections + 50);
      }
      for (const socket of sockets) socket.terminate();
    }

    await waitUntil(
      async () =>
        bus.activeSubscriptions === baseline.bus &&
        connections.size === baseline.connections &&
        (await channelCount()) === baseline.channels,
      'cleanup',
      15_000,
    );
    for (const user of users) {
      const [, subscribers] = (await redis.pubsub('NUMSUB', `${prefix}user:${user.id}`)) as [
        string,
        number,
      ];
      expect(subscribers).toBe(0);
    }
    expect(bus.activeSubscriptions).toBe(baseline.bus);
  }, 120_000);
});

describe('APP_ROLE', () => {
  it('lets an api instance and a realtime instance work as one: send on the first, receive on the second', async () => {
    const prefix = uniqueRedisPrefix();
    const api = await startApp(clusterEnv(db.url, prefix, { APP_ROLE: 'api' }));
    const realtime = await startApp(clusterEnv(db.url, prefix, { APP_ROLE: 'realtime' }));
    cleanups.push(
      () => api.close(),
      () => realtime.close(),
    );
    const [alice, bob] = await registerUsers(api.url, ['alice', 'bob']);
    const c = await createConversation(api.url, alice.token, [bob.id]);

    const ws = await connectWs(realtime.wsUrl, bob.token);
    cleanups.push(() => ws.dispose());
    const sub = await waitForSubscriptions([realtime], 1, () => subscribe(ws, MESSAGE_ADDED));
    const sent = await sendMessage(api.url, alice.token, c.id, 'across roles');
    expect((await sub.waitFor(1))[0].messageAdded).toEqual(sent);

    // Each serves only its part.
    expect((await gql(realtime.url, '{ __typename }')).status).toBe(404);
    expect((await fetch(`${realtime.url}/health/live`)).status).toBe(200);
    await expect(connectWs(api.wsUrl, bob.token)).rejects.toThrow();
  });
});

describe('SIGTERM', () => {
  it('closes sockets with 1001; clients resume on the other instance and miss nothing', async () => {
    const prefix = uniqueRedisPrefix();
    const stable = await startApp(clusterEnv(db.url, prefix));
    cleanups.push(() => stable.close());
    const leaving = await spawnApp(clusterEnv(db.url, prefix));
    cleanups.push(() => leaving.close());
    const [alice, bob] = await registerUsers(stable.url, ['alice', 'bob']);
    const c = await createConversation(stable.url, alice.token, [bob.id]);

    const ws = await connectWs(leaving.wsUrl, bob.token);
    // Replay from seq 0 covers anything sent before the subscription is live.
    const sub = subscribe(ws, RESUME, { c: c.id, s: 0 });
    const sending = (async () => {
      for (let i = 1; i <= 30; i++) {
        await sendMessage(stable.url, alice.token, c.id, `m${i}`);
        await sleep(10);
      }
    })();
    await sub.waitFor(3);
    leaving.process.kill('SIGTERM');
    expect(await ws.closed).toBe(1001);
    expect(await leaving.exited).toEqual({ code: 0, signal: null });
    const lastSeq = sub.events.at(-1)!.messageAdded.seq;

    const again = await connectWs(stable.wsUrl, bob.token);
    cleanups.push(() => again.dispose());
    const resumed = subscribe(again, RESUME, { c: c.id, s: lastSeq });
    await sending;
    await resumed.waitFor(30 - lastSeq);
    const all = [...sub.events, ...resumed.events].map((e) => e.messageAdded.seq);
    expect(all).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  }, 60_000);
});

describe('socket guards', () => {
  let app: InProcessApp;
  let user: TestUser;
  beforeAll(async () => {
    app = await startApp(
      clusterEnv(db.url, uniqueRedisPrefix(), {
        CORS_ORIGINS: 'https://chat.example',
        WS_MAX_SUBSCRIPTIONS: '3',
        WS_MAX_BUFFERED_BYTES: '65536',
      }),
    );
    cleanups.push(() => app.close());
    user = await registerUser(app.url, 'guarded');
  });

  it('closes a socket that sends a frame over 64 KiB with 1009', async () => {
    const socket = new WebSocket(app.wsUrl, 'graphql-transport-ws');
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send('x'.repeat(65 * 1024));
    const code = await new Promise<number>((resolve) => socket.once('close', resolve));
    expect(code).toBe(1009);
  });

  it('refuses operations beyond the per-connection limit', async () => {
    const ws = await connectWs(app.wsUrl, user.token);
    cleanups.push(() => ws.dispose());
    const subs = Array.from({ length: 4 }, () => subscribe(ws, MESSAGE_ADDED));
    await subs[3].ended;
    expect(subscriptionErrorCode(subs[3])).toBe('TOO_MANY_REQUESTS');
    expect(subs.slice(0, 3).map((s) => s.errors)).toEqual([[], [], []]);
  });

  it('accepts allowed Origins and clients without one; refuses other Origins at the upgrade', async () => {
    const allowed = await connectWs(app.wsUrl, user.token, {
      headers: { origin: 'https://chat.example' },
    });
    await allowed.dispose();
    const native = await connectWs(app.wsUrl, user.token);
    await native.dispose();
    const status = await new Promise<number>((resolve) => {
      const socket = new WebSocket(app.wsUrl, 'graphql-transport-ws', {
        headers: { origin: 'https://evil.example' },
      });
      socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.once('open', () => resolve(101));
      socket.once('error', () => undefined);
    });
    expect(status).toBe(403);
  });

  it('disconnects a reader that stops reading instead of buffering without bound', async () => {
    const [peer, reader] = await registerUsers(app.url, ['flooder', 'reader']);
    const c = await createConversation(app.url, peer.token, [reader.id]);
    const socket = await rawSubscriber(
      app.wsUrl,
      reader.token,
      `subscription { messageAdded { id text } }`,
    );
    const connections = app.app.get(WsConnections);
    const readerConnected = () => [...connections.all()].some((conn) => conn.userId === reader.id);
    await waitUntil(readerConnected, 'the reader to connect');
    // Stop reading: the kernel buffers fill, then the server's send buffer grows past its bound.
    (socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const text = 'z'.repeat(4000);
    let sent = 0;
    while (readerConnected() && sent < 5000) {
      await Promise.all(
        Array.from({ length: 25 }, () => sendMessage(app.url, peer.token, c.id, text)),
      );
      sent += 25;
    }
    expect(readerConnected()).toBe(false);
    socket.terminate();
    // Everyone else is served as before.
    expect((await sendMessage(app.url, peer.token, c.id, 'still here')).text).toBe('still here');
    expect((await fetch(`${app.url}/health/ready`)).status).toBe(200);
  }, 120_000);
});
