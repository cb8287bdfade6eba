import { createECDH, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SessionRevocations } from '../auth/sessions/session-revocations.js';
import { loadConfig } from '../config/app.config.js';
import { PushDeviceKind } from './dto/push.types.js';
import type { PushDevicesRepository } from './push-devices.repository.js';
import { PushDevicesService } from './push-devices.service.js';

const ecdh = createECDH('prime256v1');
ecdh.generateKeys();
const keys = {
  kind: PushDeviceKind.WEB_PUSH,
  p256dh: ecdh.getPublicKey().toString('base64url'),
  auth: randomBytes(16).toString('base64url'),
};
const user = { id: 'u1', sessionId: 's1', expiresAt: 0 };

function service(env: Record<string, string>) {
  const stored: unknown[] = [];
  const repository = {
    upsert: (device: unknown) => {
      stored.push(device);
      return Promise.resolve({ id: 'd1', kind: 'WEB_PUSH', createdAt: new Date() });
    },
  } as unknown as PushDevicesRepository;
  const revocations = {} as SessionRevocations;
  return { devices: new PushDevicesService(loadConfig(env), repository, revocations), stored };
}

describe('PushDevicesService.register', () => {
  it('takes endpoints only on the allowed push service hosts', async () => {
    const { devices, stored } = service({
      WEB_PUSH_ENDPOINT_HOSTS: 'push.example.com,.example.net',
    });
    for (const endpoint of ['https://push.example.com/a', 'https://eu.example.net/b']) {
      await devices.register(user, { ...keys, endpoint });
    }
    for (const endpoint of [
      'https://evil.com/a',
      'https://push.example.com.evil.com/a',
      'https://example.net/a',
      'https://169.254.169.254/latest',
    ]) {
      await expect(devices.register(user, { ...keys, endpoint })).rejects.toMatchObject({
        code: 'BAD_USER_INPUT',
      });
    }
    expect(stored).toHaveLength(2);
    expect(stored[0]).toMatchObject({ userId: 'u1', sessionId: 's1' });
  });

  it('refuses keys of the wrong size', async () => {
    const { devices, stored } = service({});
    const endpoint = 'https://push.example.com/a';
    await expect(
      devices.register(user, { ...keys, endpoint, p256dh: keys.auth }),
    ).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(
      devices.register(user, { ...keys, endpoint, auth: keys.p256dh }),
    ).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(stored).toHaveLength(0);
  });
});
