/**
 * Operating the real-time endpoint: no leaked subscriptions after abrupt disconnects, the api and
 * realtime roles working together, graceful SIGTERM (1001, then resume elsewhere), and the
 * socket's guards (frame size, subscriptions per connection, Origin, slow readers).
 */
import { Redis } from 'ioredis';
import { Logger } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { EventBus } from '../../src/pubsub/event-bus.js';
import { WsConnections } from '../../src/realtime/ws-connections.js';
import { spawnApp } from '../support/app.js';
import { REDIS_URL } from '../support/env.js';
import { createConversation, MESSAGE_ADDED, RESUME, sendMessage } from '../support/factories.js';
import { useApp, useCleanups, useDatabase, useSockets } from '../support/fixtures.js';
import { gql, registerUser, registerUsers, type TestUser } from '../support/gql.js';
import { sleep, waitUntil } from '../support/wait.js';
import {
  connectWs,
  queryWs,
  rawSubscriber,
  subscribe,
  subscribeOneByOne,
  subscriptionErrorCode,
  waitForSubscriptions,
} from '../support/ws.js';

const db = useDatabase();
const defer = useCleanups();
const open = useSockets();
let redis: Redis;
beforeAll(() => {
  redis = new Redis(REDIS_URL);
});
afterAll(() => {
  redis?.disconnect();
});

describe('abrupt disconnects', () => {
  const { app, env } = useApp({ db, redis: true });

  it('returns Redis subscriptions and server listeners to where they started after 1,000 cycles', async () => {
    const prefix = env.REDIS_PREFIX!;
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
  const {
    apps: [api, realtime],
  } = useApp({ instances: 2, db, each: (i) => ({ APP_ROLE: i === 0 ? 'api' : 'realtime' }) });

  it('lets an api instance and a realtime instance work as one: send on the first, receive on the second', async () => {
    const [alice, bob] = await registerUsers(api.url, ['alice', 'bob']);
    const c = await createConversation(api.url, alice.token, [bob.id]);

    const ws = await open(realtime, bob);
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
  const { app: stable, env } = useApp({ db, redis: true });

  it('closes sockets with 1001; clients resume on the other instance and miss nothing', async () => {
    const leaving = await spawnApp(env);
    defer(() => leaving.close());
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

    const again = await open(stable, bob);
    const resumed = subscribe(again, RESUME, { c: c.id, s: lastSeq });
    await sending;
    await resumed.waitFor(30 - lastSeq);
    const all = [...sub.events, ...resumed.events].map((e) => e.messageAdded.seq);
    expect(all).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  }, 60_000);
});

describe('socket guards', () => {
  const { app } = useApp({
    db,
    redis: true,
    env: {
      CORS_ORIGINS: 'https://chat.example',
      WS_MAX_SUBSCRIPTIONS: '3',
      WS_MAX_BUFFERED_BYTES: '65536',
    },
  });
  let user: TestUser;
  beforeAll(async () => {
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
    const ws = await open(app, user);
    // Each of the first three goes live, with no error, before the next one starts.
    const allowed = await subscribeOneByOne(app, ws, MESSAGE_ADDED, 3);
    const fourth = subscribe(ws, MESSAGE_ADDED);
    await fourth.ended;
    expect(subscriptionErrorCode(fourth)).toBe('TOO_MANY_REQUESTS');
    // The refusal ended none of those already running.
    expect(allowed.map((s) => [s.completed, s.errors])).toEqual(Array(3).fill([false, []]));
  });

  it('accepts allowed Origins and clients without one; refuses other Origins at the upgrade', async () => {
    const allowed = await connectWs(app.wsUrl, user.token, {
      headers: { origin: 'https://chat.example' },
    });
    const native = await connectWs(app.wsUrl, user.token);
    for (const ws of [allowed, native]) {
      expect(await queryWs(ws, '{ me { id } }')).toEqual({ me: { id: user.id } });
      await ws.dispose();
    }
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
    // The keep-alive would also cut this socket (it answers no ping), 24 s in: the guard is told
    // apart by what it says when it cuts.
    const warn = vi.spyOn(Logger.prototype, 'warn');
    try {
      // Stop reading: the kernel buffers fill, then the server's send buffer grows past its bound.
      (socket as unknown as { _socket: { pause(): void } })._socket.pause();
      // The longest text, in 3-byte characters: 12 KB a message, so the buffers fill sooner
      // (~350 messages, 4 MB, here).
      const text = '€'.repeat(4000);
      let sent = 0;
      while (readerConnected() && sent < 5000) {
        await Promise.all(
          Array.from({ length: 25 }, () => sendMessage(app.url, peer.token, c.id, text)),
        );
        sent += 25;
      }
      expect(readerConnected(), `still connected after ${sent} messages`).toBe(false);
      expect(warn.mock.calls.map(([message]) => String(message))).toContain(
        'closing a slow reader',
      );
    } finally {
      warn.mockRestore();
      socket.terminate();
    }
    // Everyone else is served as before.
    expect((await sendMessage(app.url, peer.token, c.id, 'still here')).text).toBe('still here');
    expect((await fetch(`${app.url}/health/ready`)).status).toBe(200);
  }, 60_000);
});
