/**
 * How a push reaches a device. Web Push is the first transport; FCM and APNs would be others
 * (README: "Push notifications"), each handling its own kind of device and answering the same
 * outcomes, so the worker's rules (retry, removal, never twice) hold for all of them.
 */
import type { PushDeviceKind } from './dto/push.types.js';
import type { PushTarget } from './push-devices.repository.js';

/** One notification, as every transport is given it. */
export interface PushMessage {
  /** The JSON the device's app receives. */
  payload: string;
  ttlSeconds: number;
  /** A newer push with the same topic replaces an older one not yet shown. */
  topic: string;
  urgency: 'high' | 'normal';
}

export type PushOutcome =
  | { kind: 'delivered' }
  /** The device is no more (404/410): remove it. */
  | { kind: 'gone' }
  /** Try again later (429, 5xx, network): after `afterMs` when the service said. */
  | { kind: 'retry'; afterMs?: number; reason: string }
  /** Refused for good (another 4xx): drop this push. */
  | { kind: 'failed'; reason: string };

export abstract class PushTransport {
  abstract readonly kind: PushDeviceKind;
  abstract send(device: PushTarget, message: PushMessage): Promise<PushOutcome>;
  /** Lets go of connections (shutdown). */
  close(): void {}
}

/** The transports this deployment has (none when push is off). */
export const PUSH_TRANSPORTS = Symbol('PUSH_TRANSPORTS');
