/**
 * JSON Web Tokens made by hand: forged or odd ones for the auth tests, and valid ones for the
 * benchmarks (which cannot afford an argon2 registration per user). The server verifies HS256
 * tokens `{sub, sid, iat, exp}` signed with JWT_SECRET; these are built the same way. The server
 * checks `sid` only against the sessions it has ended, so a made-up session id is accepted.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { JWT_SECRET } from './env.js';

const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** `header.payload.signature`, the signature an HMAC of `alg` ('sha256' for HS256) with `secret`. */
export function signJwt(
  header: object,
  payload: object,
  secret = JWT_SECRET,
  alg = 'sha256',
): string {
  const unsigned = `${b64url(header)}.${b64url(payload)}`;
  return `${unsigned}.${createHmac(alg, secret).update(unsigned).digest('base64url')}`;
}

/** A token without a signature: `alg: none`, which a server must never accept. */
export function unsignedJwt(payload: object): string {
  return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(payload)}.`;
}

/** Seconds since the epoch, as JWT times are written. */
export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** An access token for `userId` as the server signs them, valid for `ttlSeconds`. */
export function accessToken(
  userId: string,
  ttlSeconds = 6 * 3600,
  secret = JWT_SECRET,
  sessionId: string = randomUUID(),
): string {
  const iat = nowSeconds();
  const claims = { sub: userId, sid: sessionId, iat, exp: iat + ttlSeconds };
  return signJwt({ alg: 'HS256', typ: 'JWT' }, claims, secret);
}
