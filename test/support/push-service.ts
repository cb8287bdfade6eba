/**
 * A local push service, standing in for the browser vendor's: an HTTPS server on 127.0.0.1 with
 * a self-signed certificate made at test time (instances trust it through NODE_EXTRA_CA_CERTS,
 * so they must be spawned processes: Node reads that variable at start only). Each subscription
 * it hands out holds its private key and auth secret, as a browser would: every push is
 * decrypted (RFC 8291, aes128gcm, with node:crypto, independently of web-push) and its VAPID
 * JWT (RFC 8292) checked against the expected public key, audience and expiry. A push that
 * fails a check is recorded in `problems` and answered 400. Answers can be scripted per
 * subscription (404, 410, 429, 5xx…) and held (the request is recorded, the answer withheld).
 */
import { execFileSync } from 'node:child_process';
import {
  createECDH,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomBytes,
  randomUUID,
} from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { waitUntil } from './wait.js';

export interface Subscription {
  /** What registerPushDevice takes. */
  input: { kind: 'WEB_PUSH'; endpoint: string; p256dh: string; auth: string };
  id: string;
}

export interface ReceivedPush {
  subscriptionId: string;
  /** The decrypted payload, parsed. */
  payload: {
    conversationId: string;
    messageId: string;
    seq: number;
    senderName: string;
    text: string;
  };
  ttl: string | undefined;
  topic: string | undefined;
  urgency: string | undefined;
  vapid: { aud: string; sub: string; exp: number };
}

interface Device {
  ecdh: ReturnType<typeof createECDH>;
  auth: Buffer;
  /** Scripted answers, used one per request; then 201. */
  answers: number[];
  requests: number;
}

export interface PushService {
  url: string;
  /** The certificate file, for NODE_EXTRA_CA_CERTS. */
  caFile: string;
  received: ReceivedPush[];
  problems: string[];
  subscribe(): Subscription;
  /** The next requests to this subscription get these statuses (then 201). */
  answer(subscription: Subscription, ...statuses: number[]): void;
  /** Requests to `subscription` so far, answered or not. */
  requests(subscription: Subscription): number;
  /** Withholds every answer until release() (requests are still recorded). */
  hold(): void;
  release(): void;
  /** Pushes received for this subscription (decrypted and valid). */
  pushesTo(subscription: Subscription): ReceivedPush[];
  /** Waits until `subscription` has received a push of the message whose text is `text`. */
  waitForText(subscription: Subscription, text: string, timeoutMs?: number): Promise<ReceivedPush>;
  close(): Promise<void>;
}

export async function startPushService(vapidPublicKey: string): Promise<PushService> {
  const dir = mkdtempSync(join(tmpdir(), 'push-service-'));
  const keyFile = join(dir, 'key.pem');
  const caFile = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      caFile,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  const devices = new Map<string, Device>();
  const received: ReceivedPush[] = [];
  const problems: string[] = [];
  let held: (() => void)[] | null = null;
  let origin = '';

  const server: Server = createServer(
    { key: readFileSync(keyFile), cert: readFileSync(caFile) },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const id = /^\/push\/([\w-]+)$/.exec(req.url ?? '')?.[1];
        const device = id ? devices.get(id) : undefined;
        const reply = (status: number) => {
          const send = () => res.writeHead(status).end();
          if (held) held.push(send);
          else send();
        };
        if (!id || !device || req.method !== 'POST') return reply(404);
        device.requests++;
        void check(id, device, req.headers, Buffer.concat(chunks)).then(
          (push) => {
            const status = device.answers.shift() ?? 201;
            if (status < 300) received.push(push);
            reply(status);
          },
          (error: unknown) => {
            problems.push(`${id}: ${(error as Error).message}`);
            reply(400);
          },
        );
      });
    },
  );

  async function check(
    id: string,
    device: Device,
    headers: Record<string, string | string[] | undefined>,
    body: Buffer,
  ): Promise<ReceivedPush> {
    if (headers['content-encoding'] !== 'aes128gcm') throw new Error('not aes128gcm');
    const authorization = String(headers.authorization ?? '');
    const match = /^vapid t=([\w.-]+), k=([\w-]+)$/.exec(authorization);
    if (!match) throw new Error(`bad Authorization: ${authorization.slice(0, 20)}`);
    const [, jwt, k] = match;
    if (k !== vapidPublicKey) throw new Error('VAPID key is not the server’s');
    if (decodeProtectedHeader(jwt).alg !== 'ES256') throw new Error('VAPID JWT is not ES256');
    const point = Buffer.from(k, 'base64url');
    const key = await importJWK(
      {
        kty: 'EC',
        crv: 'P-256',
        x: point.subarray(1, 33).toString('base64url'),
        y: point.subarray(33, 65).toString('base64url'),
      },
      'ES256',
    );
    const { payload: claims } = await jwtVerify(jwt, key, { audience: origin });
    const exp = Number(claims.exp);
    if (!(exp > Date.now() / 1000) || exp > Date.now() / 1000 + 24 * 3600) {
      throw new Error('VAPID exp is not within 24 hours');
    }
    if (!/^(mailto:|https:)/.test(String(claims.sub))) throw new Error('VAPID sub is not a URL');
    const plain = decrypt(device, body);
    return {
      subscriptionId: id,
      payload: JSON.parse(plain.toString('utf8')) as ReceivedPush['payload'],
      ttl: headers.ttl as string | undefined,
      topic: headers.topic as string | undefined,
      urgency: headers.urgency as string | undefined,
      vapid: { aud: String(claims.aud), sub: String(claims.sub), exp },
    };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const service: PushService = {
    url: origin,
    caFile,
    received,
    problems,
    subscribe() {
      const id = randomUUID();
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const auth = randomBytes(16);
      devices.set(id, { ecdh, auth, answers: [], requests: 0 });
      return {
        id,
        input: {
          kind: 'WEB_PUSH',
          endpoint: `${origin}/push/${id}`,
          p256dh: ecdh.getPublicKey().toString('base64url'),
          auth: auth.toString('base64url'),
        },
      };
    },
    answer(subscription, ...statuses) {
      devices.get(subscription.id)!.answers.push(...statuses);
    },
    requests: (subscription) => devices.get(subscription.id)!.requests,
    hold() {
      held ??= [];
    },
    release() {
      const pending = held ?? [];
      held = null;
      for (const send of pending) send();
    },
    pushesTo: (subscription) => received.filter((p) => p.subscriptionId === subscription.id),
    async waitForText(subscription, text, timeoutMs = 20_000) {
      const find = () => service.pushesTo(subscription).find((p) => p.payload.text === text);
      await waitUntil(() => find() !== undefined, `a push of "${text}"`, timeoutMs);
      return find()!;
    },
    async close() {
      service.release();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return service;
}

/** RFC 8291 §3.4 and RFC 8188: one aes128gcm record, as the browser decrypts it. */
function decrypt(device: Device, body: Buffer): Buffer {
  const salt = body.subarray(0, 16);
  const recordSize = body.readUInt32BE(16);
  const idLength = body[20];
  const senderKey = body.subarray(21, 21 + idLength);
  const record = body.subarray(21 + idLength);
  if (idLength !== 65 || record.length > recordSize) throw new Error('bad aes128gcm header');
  const shared = device.ecdh.computeSecret(senderKey);
  const keyInfo = Buffer.concat([
    Buffer.from('WebPush: info\0'),
    device.ecdh.getPublicKey(),
    senderKey,
  ]);
  const ikm = Buffer.from(hkdfSync('sha256', shared, device.auth, keyInfo, 32));
  const prk = createHmac('sha256', salt).update(ikm).digest();
  const expand = (info: string, length: number) =>
    createHmac('sha256', prk)
      .update(Buffer.from(`${info}\0\x01`))
      .digest()
      .subarray(0, length);
  const cek = expand('Content-Encoding: aes128gcm', 16);
  const nonce = expand('Content-Encoding: nonce', 12);
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(record.subarray(record.length - 16));
  const padded = Buffer.concat([
    decipher.update(record.subarray(0, record.length - 16)),
    decipher.final(),
  ]);
  // The last record ends with the delimiter 0x02, then zero padding.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error('bad record padding');
  return padded.subarray(0, end);
}
