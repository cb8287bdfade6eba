/**
 * An external identity provider's tokens (AUTH_JWKS_URL, AUTH_ISSUER, AUTH_AUDIENCE), against a
 * JWKS server this file starts: RS256, ES256 and EdDSA tokens work on HTTP and WebSocket on both
 * instances; the user is created once per (iss, sub), named from preferred_username (made unique
 * when taken); a key rotation (a new kid) is picked up without a restart; another issuer,
 * audience, algorithm (HS256, none, RS512) or an expired token is refused.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useApp, useCleanups } from '../support/fixtures.js';
import { errorCode, gql, gqlOk, registerUser } from '../support/gql.js';
import { nowSeconds, signJwt, unsignedJwt } from '../support/tokens.js';
import { connectWs, queryWs } from '../support/ws.js';

const ISSUER = 'https://idp.example.test/';
const AUDIENCE = 'chat-api';
const ME = '{ me { id username displayName } }';

interface SigningKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

/** The provider's published keys; tests add and remove keys to rotate them. */
const published: SigningKey[] = [];
let jwksFetches = 0;
let server: Server;
let jwksUrl = '';

async function newKey(alg: 'RS256' | 'ES256' | 'EdDSA'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = randomUUID();
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, jwk };
}

beforeAll(async () => {
  published.push(await newKey('RS256'), await newKey('ES256'), await newKey('EdDSA'));
  server = createServer((req, res) => {
    jwksFetches++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: published.map((k) => k.jwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const { apps } = useApp({
  instances: 2,
  env: () => ({
    AUTH_JWKS_URL: jwksUrl,
    AUTH_ISSUER: ISSUER,
    AUTH_AUDIENCE: AUDIENCE,
    // The test rotates keys back to back; production keeps the default 30 s between fetches.
    AUTH_JWKS_COOLDOWN_SECONDS: '0',
  }),
});
const defer = useCleanups();

interface Claims {
  sub?: string;
  iss?: string;
  aud?: string;
  exp?: number;
  preferred_username?: string;
  name?: string;
}

function sign(key: SigningKey, claims: Claims = {}): Promise<string> {
  const { sub = randomUUID(), iss = ISSUER, aud = AUDIENCE, exp, ...rest } = claims;
  const jwt = new SignJWT(rest)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(iss)
    .setAudience(aud)
    .setIssuedAt();
  jwt.setExpirationTime(exp ?? nowSeconds() + 600);
  return jwt.sign(key.privateKey);
}

const meOf = (token: string, app: { url: string } = apps[0]) => gql(app.url, ME, {}, token);

describe('tokens of the external identity provider', () => {
  it('creates the user on first use, by (iss, sub), named from the claims; the same on both instances', async () => {
    const sub = randomUUID();
    const token = await sign(published[0], {
      sub,
      preferred_username: 'Grace.Hopper',
      name: 'Grace \u202eHopper',
    });
    const first = (await gqlOk(apps[0].url, ME, {}, token)).me;
    expect(first).toMatchObject({ username: 'grace.hopper', displayName: 'Grace Hopper' });
    const again = await sign(published[0], { sub, preferred_username: 'someone else' });
    expect((await gqlOk(apps[1].url, ME, {}, again)).me.id).toBe(first.id);
  });

  it('makes the username unique when it is taken', async () => {
    const local = await registerUser(apps[0].url, 'taken');
    const token = await sign(published[0], { preferred_username: local.username });
    const me = (await gqlOk(apps[1].url, ME, {}, token)).me;
    expect(me.username).not.toBe(local.username);
    expect(me.username.startsWith(local.username.slice(0, 23))).toBe(true);
    expect(me.id).not.toBe(local.id);
  });

  it.each(['RS256', 'ES256', 'EdDSA'])('accepts %s on the WebSocket too', async (alg) => {
    const key = published.find((k) => k.alg === alg)!;
    const token = await sign(key, { preferred_username: `ws_${alg.toLowerCase()}` });
    const ws = await connectWs(apps[1].wsUrl, token);
    defer(() => ws.dispose());
    const data = await queryWs(ws, '{ me { username } }');
    expect(data.me.username).toBe(`ws_${alg.toLowerCase()}`);
  });

  it('picks up a rotated key (a new kid) without a restart, on both instances', async () => {
    // Both instances have fetched the keys before the rotation.
    expect(errorCode(await meOf(await sign(published[0]), apps[0]))).toBeUndefined();
    expect(errorCode(await meOf(await sign(published[0]), apps[1]))).toBeUndefined();
    const rotated = await newKey('RS256');
    const fetchesBefore = jwksFetches;
    published.push(rotated);
    const token = await sign(rotated, { preferred_username: 'rotated' });
    expect(errorCode(await meOf(token, apps[0]))).toBeUndefined();
    expect(errorCode(await meOf(token, apps[1]))).toBeUndefined();
    expect(jwksFetches).toBeGreaterThan(fetchesBefore);
    // A key the provider never published is refused even after a refetch.
    const unpublished = await newKey('RS256');
    expect(errorCode(await meOf(await sign(unpublished), apps[0]))).toBe('UNAUTHENTICATED');
  });

  it.each<[string, () => Promise<string>]>([
    ['another issuer', () => sign(published[0], { iss: 'https://evil.example/' })],
    ['another audience', () => sign(published[0], { aud: 'another-api' })],
    ['an expired token', () => sign(published[0], { exp: nowSeconds() - 120 })],
    [
      'HS256 keyed with the public key',
      async () =>
        signJwt(
          { alg: 'HS256', typ: 'JWT', kid: published[0].kid },
          { sub: randomUUID(), iss: ISSUER, aud: AUDIENCE, exp: nowSeconds() + 600 },
          JSON.stringify(published[0].jwk),
        ),
    ],
    [
      'alg none',
      async () =>
        unsignedJwt({ sub: randomUUID(), iss: ISSUER, aud: AUDIENCE, exp: nowSeconds() + 600 }),
    ],
    [
      'RS512 (not allowed) with a published key',
      async () => {
        const { privateKey, publicKey } = await generateKeyPair('RS512', { extractable: true });
        const kid = randomUUID();
        published.push({
          kid,
          alg: 'RS512',
          privateKey,
          jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS512' },
        });
        return new SignJWT({})
          .setProtectedHeader({ alg: 'RS512', kid })
          .setSubject(randomUUID())
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setExpirationTime(nowSeconds() + 600)
          .sign(privateKey);
      },
    ],
  ])('refuses %s on HTTP (UNAUTHENTICATED) and WebSocket (4403)', async (_, make) => {
    const token = await make();
    expect(errorCode(await meOf(token, apps[0]))).toBe('UNAUTHENTICATED');
    await expect(connectWs(apps[1].wsUrl, token)).rejects.toThrow('closed with 4403');
  });

  it('still accepts the server’s own tokens', async () => {
    const user = await registerUser(apps[0].url, 'local');
    expect(errorCode(await meOf(user.token, apps[1]))).toBeUndefined();
  });
});

describe('a provider that cannot be reached', () => {
  // Nothing listens there: the keys cannot be fetched.
  const unreachable = useApp({
    env: {
      AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks.json',
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
    },
  });

  it('is no verdict on the token: SERVICE_UNAVAILABLE on HTTP, 1013 (retry) on WebSocket', async () => {
    const token = await sign(published[0]);
    expect(errorCode(await meOf(token, unreachable.app))).toBe('SERVICE_UNAVAILABLE');
    await expect(connectWs(unreachable.app.wsUrl, token)).rejects.toThrow('closed with 1013');
    // The server's own tokens do not depend on the provider.
    const user = await registerUser(unreachable.app.url, 'local');
    expect(errorCode(await meOf(user.token, unreachable.app))).toBeUndefined();
  });
});
