/**
 * Web Push through the `web-push` package: the payload encrypted to the subscription's keys
 * (RFC 8291, aes128gcm) and the request signed with VAPID (RFC 8292). The VAPID header is made
 * once per push service origin and reused until near its expiry, sparing an ES256 signature per
 * push; connections are kept alive.
 */
import { Agent } from 'node:https';
import webpush, { WebPushError } from 'web-push';
import { PushDeviceKind } from './dto/push.types.js';
import type { PushTarget } from './push-devices.repository.js';
import { PushTransport, type PushMessage, type PushOutcome } from './push.transport.js';

const VAPID_TTL_SECONDS = 12 * 3600;
const REQUEST_TIMEOUT_MS = 10_000;

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
  subject: string;
}

export class WebPushTransport extends PushTransport {
  readonly kind = PushDeviceKind.WEB_PUSH;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private readonly vapidHeaders = new Map<
    string,
    { headers: Record<string, string>; until: number }
  >();

  constructor(private readonly vapid: VapidKeys) {
    super();
  }

  async send(device: PushTarget, message: PushMessage): Promise<PushOutcome> {
    try {
      await webpush.sendNotification(
        { endpoint: device.endpoint, keys: { p256dh: device.p256dh, auth: device.auth } },
        message.payload,
        {
          TTL: message.ttlSeconds,
          topic: message.topic,
          urgency: message.urgency,
          headers: this.vapidFor(device.endpoint),
          timeout: REQUEST_TIMEOUT_MS,
          agent: this.agent,
        },
      );
      return { kind: 'delivered' };
    } catch (error) {
      return outcomeOf(error);
    }
  }

  override close(): void {
    this.agent.destroy();
  }

  private vapidFor(endpoint: string): Record<string, string> {
    const audience = new URL(endpoint).origin;
    const now = Date.now();
    const cached = this.vapidHeaders.get(audience);
    if (cached && cached.until > now) return cached.headers;
    const expiration = Math.floor(now / 1000) + VAPID_TTL_SECONDS;
    const headers = webpush.getVapidHeaders(
      audience,
      this.vapid.subject,
      this.vapid.publicKey,
      this.vapid.privateKey,
      'aes128gcm',
      expiration,
    ) as unknown as Record<string, string>;
    // Renewed an hour before it expires, so no push carries a token about to lapse.
    this.vapidHeaders.set(audience, { headers, until: now + (VAPID_TTL_SECONDS - 3600) * 1000 });
    return headers;
  }
}

function outcomeOf(error: unknown): PushOutcome {
  if (!(error instanceof WebPushError)) {
    // A network failure or timeout (or a subscription web-push refuses, which a retry won't fix).
    const reason = error instanceof Error ? error.message : String(error);
    return /subscription|key|auth|p256dh/i.test(reason)
      ? { kind: 'failed', reason }
      : { kind: 'retry', reason };
  }
  const status = error.statusCode;
  if (status === 404 || status === 410) return { kind: 'gone' };
  if (status === 429 || status >= 500) {
    const retryAfter = Number(error.headers?.['retry-after']);
    return {
      kind: 'retry',
      afterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
      reason: `push service answered ${status}`,
    };
  }
  return { kind: 'failed', reason: `push service answered ${status}` };
}
