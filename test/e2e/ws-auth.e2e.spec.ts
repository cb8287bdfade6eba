/** The WebSocket endpoint refuses every connection without a valid token (close 4403). */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { TokenService } from '../../src/auth/token.service.js';
import WebSocket from 'ws';
import { JWT_SECRET } from '../support/env.js';
import { useApp } from '../support/fixtures.js';
import { registerUser, type TestUser } from '../support/gql.js';
import { nowSeconds as now, signJwt as signed, unsignedJwt } from '../support/tokens.js';
import { connectWs, queryWs } from '../support/ws.js';

const { app } = useApp();
let user: TestUser;

beforeAll(async () => {
  user = await registerUser(app.url, 'socket');
});

describe('graphql-ws connection_init', () => {
  it('acknowledges a valid token, and the socket acts as its user', async () => {
    const ws = await connectWs(app.wsUrl, user.token);
    try {
      expect(await queryWs(ws, '{ me { id } }')).toEqual({ me: { id: user.id } });
    } finally {
      await ws.dispose();
    }
  });

  it.each([
    ['no token', () => undefined],
    [
      'a forged signature',
      () =>
        signed(
          { alg: 'HS256', typ: 'JWT' },
          { sub: user.id, exp: now() + 600 },
          'wrong-secret-wrong-secret',
        ),
    ],
    ['an alg:none token', () => unsignedJwt({ sub: user.id, exp: now() + 600 })],
    [
      'another algorithm (HS512, right key)',
      () =>
        signed(
          { alg: 'HS512', typ: 'JWT' },
          { sub: user.id, exp: now() + 600 },
          JWT_SECRET,
          'sha512',
        ),
    ],
    [
      'an expired token',
      () =>
        signed({ alg: 'HS256', typ: 'JWT' }, { sub: user.id, exp: now() - 10, iat: now() - 100 }),
    ],
    ['garbage', () => 'garbage'],
  ])('refuses %s with close code 4403', async (_, token) => {
    const error = await connectWs(app.wsUrl, token()).then(
      () => null,
      (e: Error) => e,
    );
    expect(error?.message).toBe('closed with 4403');
  });

  it('closes with 1013 (retry), not 4403, when the token cannot be checked, and admits the retry', async () => {
    // An infrastructure failure (a database or identity provider down), not a verdict on the token.
    const check = vi
      .spyOn(app.app.get(TokenService), 'verifyBearer')
      .mockRejectedValueOnce(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    try {
      const error = await connectWs(app.wsUrl, user.token).then(
        () => null,
        (e: Error) => e,
      );
      expect(error?.message).toBe('closed with 1013');
      expect(check).toHaveBeenCalledTimes(1);
      // Once the check works again the same token is admitted: it was never the client's fault.
      const ws = await connectWs(app.wsUrl, user.token);
      await ws.dispose();
    } finally {
      check.mockRestore();
    }
  });

  it('delivers nothing on a refused connection', async () => {
    const socket = new WebSocket(app.wsUrl, 'graphql-transport-ws');
    const messages: string[] = [];
    socket.on('message', (m) => messages.push(String(m)));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
    const code = await new Promise<number>((resolve) => socket.once('close', resolve));
    expect(code).toBe(4403);
    expect(messages).toEqual([]);
  });

  it('closes a socket that never sends connection_init after 3 s with 4408', async () => {
    const socket = new WebSocket(app.wsUrl, 'graphql-transport-ws');
    const started = Date.now();
    const code = await new Promise<number>((resolve) => socket.once('close', resolve));
    expect(code).toBe(4408);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2900);
  });
});

describe('the subprotocol', () => {
  it('is graphql-transport-ws whenever it is offered, even after another', async () => {
    const socket = new WebSocket(app.wsUrl, ['graphql-ws', 'graphql-transport-ws']);
    await new Promise((resolve) => socket.once('open', resolve));
    expect(socket.protocol).toBe('graphql-transport-ws');
    const ack = new Promise<string>((resolve) => socket.once('message', (m) => resolve(String(m))));
    socket.send(
      JSON.stringify({
        type: 'connection_init',
        payload: { authorization: `Bearer ${user.token}` },
      }),
    );
    expect(JSON.parse(await ack)).toEqual({ type: 'connection_ack' });
    socket.close();
  });

  it('closes with 4406 when only another one is offered', async () => {
    const socket = new WebSocket(app.wsUrl, ['graphql-ws']);
    const code = await new Promise<number>((resolve) => socket.once('close', resolve));
    expect(code).toBe(4406);
  });
});
