/**
 * Push devices: registered per session, listed and removed by their user, and removed when
 * their session ends (heard from SessionRevocations on every instance; until then, and for any
 * other end such as expiry, the repository counts only devices of live sessions).
 */
import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { SessionRevocations } from '../auth/sessions/session-revocations.js';
import type { AuthUser } from '../common/auth/auth-user.js';
import { BadUserInputError, NotFoundError } from '../common/errors/domain-error.js';
import { AppConfig } from '../config/app.config.js';
import type { RegisterPushDeviceInput } from './dto/push.types.js';
import { PushDevicesRepository, type DeviceRow } from './push-devices.repository.js';

@Injectable()
export class PushDevicesService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('PushDevices');
  private stopListening?: () => void;

  constructor(
    private readonly config: AppConfig,
    private readonly devices: PushDevicesRepository,
    private readonly revocations: SessionRevocations,
  ) {}

  onApplicationBootstrap(): void {
    this.stopListening = this.revocations.onEnded((sessionIds) => {
      this.devices.deleteBySessions(sessionIds).catch((error: unknown) => {
        // The devices are already inert (their session is not live); the session's own
        // removal takes them later.
        this.logger.warn(`could not remove devices of ended sessions: ${String(error)}`);
      });
    });
  }

  onApplicationShutdown(): void {
    this.stopListening?.();
  }

  webPushPublicKey(): string | null {
    return this.config.push.vapid?.publicKey ?? null;
  }

  async register(user: AuthUser, input: RegisterPushDeviceInput): Promise<DeviceRow> {
    this.assertEndpointAllowed(input.endpoint);
    assertKey('p256dh', input.p256dh, 65);
    assertKey('auth', input.auth, 16);
    return this.devices.upsert({
      userId: user.id,
      sessionId: user.sessionId ?? null,
      kind: input.kind,
      endpoint: input.endpoint,
      p256dh: input.p256dh,
      auth: input.auth,
    });
  }

  list(userId: string): Promise<DeviceRow[]> {
    return this.devices.findLiveByUser(userId);
  }

  async unregister(userId: string, id: string): Promise<void> {
    if (!(await this.devices.deleteOfUser(userId, id))) throw new NotFoundError('Push device');
  }

  /** The worker POSTs to the endpoint: only https, and only to the allowed push services. */
  private assertEndpointAllowed(endpoint: string): void {
    let host: string;
    try {
      const url = new URL(endpoint);
      if (url.protocol !== 'https:' || url.username || url.password) throw new Error();
      host = url.hostname.toLowerCase();
    } catch {
      throw badField('endpoint', 'endpoint must be an https URL');
    }
    const allowed = this.config.push.endpointHosts;
    const ok =
      allowed.length === 0 ||
      allowed.some((h) => (h.startsWith('.') ? host.endsWith(h) : host === h));
    if (!ok) throw badField('endpoint', 'endpoint is not on a known push service');
  }
}

function badField(field: string, message: string): BadUserInputError {
  return new BadUserInputError(message, { fields: [{ field, messages: [message] }] });
}

/** p256dh: an uncompressed P-256 point (65 bytes, 0x04 first); auth: 16 bytes. */
function assertKey(field: 'p256dh' | 'auth', value: string, bytes: number): void {
  const decoded = Buffer.from(value, 'base64url');
  if (decoded.length !== bytes || (field === 'p256dh' && decoded[0] !== 4)) {
    throw badField(field, `${field} must be ${bytes} bytes, base64url`);
  }
}
