import 'reflect-metadata';
import { JwtService } from '@nestjs/jwt';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '../config/app.config.js';
import type { ExternalIdentityService } from './external/external-identity.service.js';
import type { SessionRevocations } from './sessions/session-revocations.js';
import { TokenService } from './token.service.js';

const USER = '5a3c2e0e-1f0b-4a43-9a3e-2b8f3f0f9d11';
const SESSION = '6b4d3f1f-2a1c-4b54-8b4f-3c9a4a1a0e22';

function tokens(secret = 'a-secret-of-32-characters-at-least', ttlSeconds = 900) {
  const revoked = new Set<string>();
  const jwt = new JwtService({});
  const service = new TokenService(
    jwt,
    { jwt: { secret, expiresInSeconds: ttlSeconds, isDevelopmentSecret: false } } as AppConfig,
    { isRevoked: (id: string) => revoked.has(id) } as unknown as SessionRevocations,
    { enabled: false } as ExternalIdentityService,
  );
  return { service, jwt, revoked };
}

describe('TokenService.verify and its verified-token cache', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('checks a token once, then answers from the cache with the same user', async () => {
    const { service, jwt } = tokens();
    const { token } = await service.sign(USER, SESSION);
    const verify = vi.spyOn(jwt, 'verifyAsync');
    const first = await service.verify(token);
    const second = await service.verifyBearer(`Bearer ${token}`);
    expect(first).toEqual({ id: USER, sessionId: SESSION, expiresAt: expect.any(Number) });
    expect(second).toEqual(first);
    expect(second).not.toBe(first);
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('a verify that does not remember (a socket) uses the cache but adds nothing to it', async () => {
    const { service, jwt } = tokens();
    const { token } = await service.sign(USER, SESSION);
    const verify = vi.spyOn(jwt, 'verifyAsync');
    await service.verify(token, { remember: false });
    await service.verify(token, { remember: false });
    expect(verify).toHaveBeenCalledTimes(2);
    await service.verify(token);
    const socket = await service.verifyBearer(`Bearer ${token}`, { remember: false });
    expect(socket).toEqual({ id: USER, sessionId: SESSION, expiresAt: expect.any(Number) });
    expect(verify).toHaveBeenCalledTimes(3);
  });

  it('refuses a cached token once its session is revoked', async () => {
    const { service, revoked } = tokens();
    const { token } = await service.sign(USER, SESSION);
    await service.verify(token);
    revoked.add(SESSION);
    await expect(service.verify(token)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'This session has ended',
    });
  });

  it('refuses a cached token from the second it expires', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-03T08:00:00.000Z'));
    const { service } = tokens(undefined, 60);
    const { token, expiresAt } = await service.sign(USER, SESSION);
    await service.verify(token);
    vi.setSystemTime(expiresAt.getTime() - 1);
    await expect(service.verify(token)).resolves.toMatchObject({ id: USER });
    vi.setSystemTime(expiresAt.getTime());
    await expect(service.verify(token)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'Invalid or expired token',
    });
  });

  it('never lets another text hit the cache: a forged signature or another key is refused', async () => {
    const { service } = tokens();
    const { token } = await service.sign(USER, SESSION);
    await service.verify(token);
    const [header, payload, signature] = token.split('.');
    const forged = `${header}.${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    await expect(service.verify(forged)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const other = await tokens('another-secret-of-32-characters!!').service.sign(USER, SESSION);
    await expect(service.verify(other.token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});
