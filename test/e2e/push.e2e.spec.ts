/**
 * Web Push for members who are away (issue 17), end to end: instances spawned with
 * NODE_EXTRA_CA_CERTS trusting a local push service (test/support/push-service.ts) that decrypts
 * every push with the subscription's private key, as a browser would, and checks its VAPID JWT.
 * Absence is proven with a sentinel: a later message that travels the same path and does arrive.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import webpush from 'web-push';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnApp, type ChildApp, type Env } from '../support/app.js';
import { REDIS_URL } from '../support/env.js';
import { createConversation, sendMessage } from '../support/factories.js';
import { useDatabase, useRedisPrefix, useSockets } from '../support/fixtures.js';
import { errorCode, gql, gqlOk, registerUser, type TestUser } from '../support/gql.js';
import { startPushService, type PushService, type Subscription } from '../support/push-service.js';
import { waitUntil } from '../support/wait.js';

const REGISTER = `mutation($input: RegisterPushDeviceInput!) { registerPushDevice(input: $input) { id kind createdAt } }`;
const DEVICES = `{ pushDevices { id kind createdAt } }`;
const vapid = webpush.generateVAPIDKeys();

/** A push service, and instances that trust it, on a database and Redis prefix of their own. */
function usePushDeployment(settings: Env, roles: string[]) {
  const db = useDatabase();
  const prefix = useRedisPrefix();
  const deployment = {
    service: {} as PushService,
    apps: [] as ChildApp[],
    env: {} as Env,
  };
  beforeAll(async () => {
    Object.assign(deployment.service, await startPushService(vapid.publicKey));
    Object.assign(deployment.env, {
      DATABASE_URL: db.url,
      REDIS_URL,
      REDIS_PREFIX: prefix,
      WEB_PUSH_VAPID_PUBLIC_KEY: vapid.publicKey,
      WEB_PUSH_VAPID_PRIVATE_KEY: vapid.privateKey,
      WEB_PUSH_SUBJECT: 'mailto:ops@example.com',
      PUSH_DELAY_SECONDS: '2',
      PUSH_POLL_INTERVAL_MS: '50',
      PRESENCE_GRACE_MS: '0',
      NODE_EXTRA_CA_CERTS: deployment.service.caFile,
      ...settings,
    });
    // One first (it migrates the fresh database), then the others.
    deployment.apps.push(await spawnApp({ ...deployment.env, APP_ROLE: roles[0] }));
    deployment.apps.push(
      ...(await Promise.all(
        roles.slice(1).map((role) => spawnApp({ ...deployment.env, APP_ROLE: role })),
      )),
    );
  }, 90_000);
  afterAll(async () => {
    await Promise.all(deployment.apps.map((app) => app.close()));
    expect(deployment.service.problems).toEqual([]);
    await deployment.service.close?.();
  });
  return deployment;
}

/** Until `viewer` sees `userId` with `status` (presence crosses instances through Redis). */
async function waitForStatus(url: string, viewer: string, userId: string, status: string) {
  const query = `query($u: [ID!]!) { presence(userIds: $u) { status } }`;
  await waitUntil(
    async () => (await gqlOk(url, query, { u: [userId] }, viewer)).presence[0].status === status,
    `${userId} ${status}`,
  );
}

async function register(app: ChildApp, token: string, sub: Subscription): Promise<string> {
  return (await gqlOk(app.url, REGISTER, { input: sub.input }, token)).registerPushDevice.id;
}

async function login(app: ChildApp, user: TestUser): Promise<string> {
  const data = await gqlOk(
    app.url,
    `mutation($input: LoginInput!) { login(input: $input) { accessToken } }`,
    { input: { username: user.username, password: 'correct horse battery' } },
  );
  return data.login.accessToken;
}

describe('Web Push, two instances (APP_ROLE=all)', () => {
  const { service, apps } = usePushDeployment({ PUSH_MAX_ATTEMPTS: '3' }, ['all', 'all']);
  const connect = useSockets();
  const app = () => apps[0];
  const other = () => apps[1];

  /** A sender, and a recipient away with one device, in a direct conversation. */
  async function pair() {
    const [alice, bob] = await Promise.all([
      registerUser(app().url, 'alice'),
      registerUser(app().url, 'bob'),
    ]);
    const device = service.subscribe();
    await register(app(), bob.token, device);
    const direct = await createConversation(app().url, alice.token, [bob.id]);
    return { alice, bob, device, direct };
  }

  it('serves the VAPID key and the caller’s devices, refusing bad subscriptions', async () => {
    const bob = await registerUser(app().url, 'bob');
    const carol = await registerUser(app().url, 'carol');
    const config = await gqlOk(app().url, `{ pushConfig { webPushPublicKey } }`, {}, bob.token);
    expect(config.pushConfig.webPushPublicKey).toBe(vapid.publicKey);
    const device = service.subscribe();
    const id = await register(app(), bob.token, device);
    // The same subscription again is the same device.
    expect(await register(other(), bob.token, device)).toBe(id);
    const listed = await gqlOk(app().url, DEVICES, {}, bob.token);
    expect(listed.pushDevices).toEqual([{ id, kind: 'WEB_PUSH', createdAt: expect.any(String) }]);
    for (const input of [
      { ...device.input, endpoint: device.input.endpoint.replace('https:', 'http:') },
      { ...device.input, endpoint: `${device.input.endpoint}\u0000` },
      { ...device.input, endpoint: 'https://user:pass@127.0.0.1/push' },
      { ...device.input, p256dh: 'AAAA' },
      { ...device.input, auth: 'not base64url!' },
    ]) {
      expect(errorCode(await gql(app().url, REGISTER, { input }, bob.token))).toBe(
        'BAD_USER_INPUT',
      );
    }
    const unregister = `mutation($id: ID!) { unregisterPushDevice(id: $id) }`;
    expect(errorCode(await gql(app().url, unregister, { id }, carol.token))).toBe('NOT_FOUND');
    expect((await gqlOk(app().url, unregister, { id }, bob.token)).unregisterPushDevice).toBe(true);
    expect((await gqlOk(app().url, DEVICES, {}, bob.token)).pushDevices).toEqual([]);
    expect(errorCode(await gql(app().url, unregister, { id }, bob.token))).toBe('NOT_FOUND');
  });

  it('pushes an unread message to an offline member: encrypted payload, VAPID, TTL, Topic, Urgency', async () => {
    const { alice, bob, device, direct } = await pair();
    const text = `${'long '.repeat(30)}end`;
    const sent = await sendMessage(other().url, alice.token, direct.id, text);
    const push = await service.waitForText(device, text.slice(0, 100));
    expect(push.payload).toEqual({
      conversationId: direct.id,
      messageId: sent.id,
      seq: sent.seq,
      senderName: 'alice',
      text: text.slice(0, 100),
    });
    expect(push).toMatchObject({
      ttl: '86400',
      topic: direct.id.replaceAll('-', ''),
      urgency: 'high',
      vapid: { aud: service.url, sub: 'mailto:ops@example.com' },
    });
    // A group: normal urgency, its own topic.
    const group = await createConversation(app().url, alice.token, [bob.id], 'Team');
    await sendMessage(app().url, alice.token, group.id, 'to the team');
    const groupPush = await service.waitForText(device, 'to the team');
    expect(groupPush.urgency).toBe('normal');
    expect(groupPush.topic).toBe(group.id.replaceAll('-', ''));
    expect(groupPush.topic!.length).toBeLessThanOrEqual(32);
    expect(service.pushesTo(device)).toHaveLength(2);
  });

  it('pushes nothing to a member with a socket open on any instance', async () => {
    const { alice, bob, device } = await pair();
    // Carol, away, is the sentinel: her job and Bob's are made by one statement, claimed in one
    // batch and checked together before any push goes out.
    const carol = await registerUser(app().url, 'carol');
    const carolDevice = service.subscribe();
    await register(app(), carol.token, carolDevice);
    const group = await createConversation(app().url, alice.token, [bob.id, carol.id], 'G');
    const ws = await connect(other(), bob);
    await waitForStatus(app().url, alice.token, bob.id, 'ONLINE');
    await sendMessage(app().url, alice.token, group.id, 'while Bob is here');
    await service.waitForText(carolDevice, 'while Bob is here');
    await ws.dispose();
    await waitForStatus(app().url, alice.token, bob.id, 'OFFLINE');
    await sendMessage(app().url, alice.token, group.id, 'after Bob left');
    await service.waitForText(device, 'after Bob left');
    expect(service.pushesTo(device).map((p) => p.payload.text)).toEqual(['after Bob left']);
  });

  it('pushes nothing for a message read within the delay on another device, nor a deleted one', async () => {
    const { alice, bob, device, direct } = await pair();
    const read = await sendMessage(app().url, alice.token, direct.id, 'read at once');
    await gqlOk(
      other().url,
      `mutation($c: ID!, $s: Int!) { markConversationRead(conversationId: $c, upToSeq: $s) { id } }`,
      { c: direct.id, s: read.seq },
      bob.token,
    );
    const deleted = await sendMessage(app().url, alice.token, direct.id, 'taken back');
    await gqlOk(
      app().url,
      `mutation($m: ID!) { deleteMessage(messageId: $m) { id } }`,
      { m: deleted.id },
      alice.token,
    );
    await sendMessage(app().url, alice.token, direct.id, 'sentinel');
    await service.waitForText(device, 'sentinel');
    expect(service.pushesTo(device).map((p) => p.payload.text)).toEqual(['sentinel']);
  });

  it('pushes nothing for a muted conversation, nor for one’s own messages', async () => {
    const { alice, bob, device, direct } = await pair();
    const group = await createConversation(app().url, alice.token, [bob.id], 'Muted');
    await gqlOk(
      app().url,
      `mutation($c: ID!) { setConversationMuted(conversationId: $c, muted: true) { id } }`,
      { c: group.id },
      bob.token,
    );
    await sendMessage(app().url, alice.token, group.id, 'in the muted group');
    await sendMessage(app().url, bob.token, direct.id, 'from Bob himself');
    await sendMessage(app().url, alice.token, direct.id, 'sentinel');
    await service.waitForText(device, 'sentinel');
    expect(service.pushesTo(device).map((p) => p.payload.text)).toEqual(['sentinel']);
  });

  it('pushes each message exactly once to each device while two instances race for the jobs', async () => {
    const { alice, bob, device, direct } = await pair();
    const second = service.subscribe();
    await register(other(), await login(other(), bob), second);
    const texts = Array.from({ length: 20 }, (_, i) => `race ${i}`);
    await Promise.all(texts.map((t, i) => sendMessage(apps[i % 2].url, alice.token, direct.id, t)));
    await sendMessage(app().url, alice.token, direct.id, 'sentinel');
    for (const sub of [device, second]) {
      await service.waitForText(sub, 'sentinel');
      for (const t of texts) await service.waitForText(sub, t);
    }
    for (const sub of [device, second]) {
      const seen = service.pushesTo(sub).map((p) => p.payload.text);
      expect(seen.sort()).toEqual([...texts, 'sentinel'].sort());
    }
  });

  it('removes a device its push service says is gone (410), and retries 429/5xx', async () => {
    const { alice, bob, device, direct } = await pair();
    const gone = service.subscribe();
    await register(app(), await login(app(), bob), gone);
    service.answer(gone, 410);
    service.answer(device, 503, 429);
    await sendMessage(app().url, alice.token, direct.id, 'first');
    await service.waitForText(device, 'first');
    expect(service.requests(device)).toBe(3);
    await waitUntil(
      async () => (await gqlOk(app().url, DEVICES, {}, bob.token)).pushDevices.length === 1,
      'the gone device removed',
    );
    await sendMessage(app().url, alice.token, direct.id, 'second');
    await service.waitForText(device, 'second');
    expect(service.requests(gone)).toBe(1);
  });

  it('gives up after PUSH_MAX_ATTEMPTS on a push service that keeps failing', async () => {
    const { alice, bob, device, direct } = await pair();
    const failing = service.subscribe();
    await register(app(), await login(app(), bob), failing);
    service.answer(failing, 500, 500, 500);
    await sendMessage(app().url, alice.token, direct.id, 'to a failing service');
    await waitUntil(() => service.requests(failing) === 3, 'three attempts', 20_000);
    // The job is gone: a fourth attempt would have been answered 201 and shown up below; the
    // next message is pushed as usual.
    await sendMessage(app().url, alice.token, direct.id, 'sentinel');
    await service.waitForText(failing, 'sentinel');
    await service.waitForText(device, 'sentinel');
    expect(service.requests(failing)).toBe(4);
    expect(service.pushesTo(failing).map((p) => p.payload.text)).toEqual(['sentinel']);
    expect(service.pushesTo(device).map((p) => p.payload.text)).toEqual([
      'to a failing service',
      'sentinel',
    ]);
  });

  it('removes the devices of a session that ends (logout)', async () => {
    const { alice, bob, device, direct } = await pair();
    const laptop = await login(app(), bob);
    const laptopDevice = service.subscribe();
    await register(app(), laptop, laptopDevice);
    expect((await gqlOk(app().url, DEVICES, {}, bob.token)).pushDevices).toHaveLength(2);
    await gqlOk(other().url, `mutation { logout }`, {}, laptop);
    expect((await gqlOk(app().url, DEVICES, {}, bob.token)).pushDevices).toHaveLength(1);
    await sendMessage(app().url, alice.token, direct.id, 'after logout');
    await sendMessage(app().url, alice.token, direct.id, 'sentinel');
    await service.waitForText(device, 'sentinel');
    expect(service.requests(laptopDevice)).toBe(0);
  });
});

describe('Web Push from a worker apart (APP_ROLE=api + worker), killed mid-batch', () => {
  // No delay, and the worker started after the sends: its first batch holds every job.
  const deployment = usePushDeployment(
    {
      PUSH_DELAY_SECONDS: '0',
      PUSH_BATCH_SIZE: '20',
      PUSH_CONCURRENCY: '2',
      PUSH_LEASE_SECONDS: '3',
    },
    ['api'],
  );
  const { service, apps } = deployment;

  it('sends the rest after a restart, and nothing twice', async () => {
    const api = apps[0];
    const [alice, bob] = await Promise.all([
      registerUser(api.url, 'alice'),
      registerUser(api.url, 'bob'),
    ]);
    const device = service.subscribe();
    await register(api, bob.token, device);
    const direct = await createConversation(api.url, alice.token, [bob.id]);
    service.hold();
    const texts = Array.from({ length: 10 }, (_, i) => `batch ${i}`);
    await Promise.all(texts.map((t) => sendMessage(api.url, alice.token, direct.id, t)));
    const worker = await spawnApp({ ...deployment.env, APP_ROLE: 'worker' });
    apps.push(worker);
    // A worker serves no API and no sockets, only its health and metrics.
    expect((await gql(worker.url, '{ __typename }')).status).toBe(404);
    expect((await fetch(`${worker.url}/health/live`)).status).toBe(200);
    // Two pushes under way (PUSH_CONCURRENCY), their answers withheld: the worker dies now.
    await waitUntil(() => service.requests(device) === 2, 'two pushes in flight', 20_000);
    worker.process.kill('SIGKILL');
    await worker.exited;
    service.release();
    apps.push(await spawnApp({ ...deployment.env, APP_ROLE: 'worker' }));
    await sendMessage(api.url, alice.token, direct.id, 'sentinel');
    for (const t of [...texts, 'sentinel']) await service.waitForText(device, t, 30_000);
    const seen = service.pushesTo(device).map((p) => p.payload.text);
    expect(seen.sort()).toEqual([...texts, 'sentinel'].sort());
  }, 90_000);
});

describe('Web Push in embedded mode (PGlite, in-process presence, one instance)', () => {
  let service: PushService;
  let app: ChildApp;
  let dataDir: string;
  const connect = useSockets();
  beforeAll(async () => {
    service = await startPushService(vapid.publicKey);
    dataDir = mkdtempSync(join(tmpdir(), 'chat-push-'));
    app = await spawnApp(
      {
        DATABASE_URL: '',
        REDIS_URL: '',
        DATA_DIR: dataDir,
        WEB_PUSH_VAPID_PUBLIC_KEY: vapid.publicKey,
        WEB_PUSH_VAPID_PRIVATE_KEY: vapid.privateKey,
        WEB_PUSH_SUBJECT: 'https://chat.example.com/contact',
        PUSH_DELAY_SECONDS: '1',
        PRESENCE_GRACE_MS: '0',
        NODE_EXTRA_CA_CERTS: service.caFile,
      },
      { timeoutMs: 120_000 },
    );
  }, 150_000);
  afterAll(async () => {
    await app?.close();
    expect(service?.problems).toEqual([]);
    await service?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('pushes to a member away, and not while they are connected', async () => {
    const [alice, bob, carol] = await Promise.all(
      ['alice', 'bob', 'carol'].map((name) => registerUser(app.url, name)),
    );
    const [bobDevice, carolDevice] = [service.subscribe(), service.subscribe()];
    await register(app, bob.token, bobDevice);
    await register(app, carol.token, carolDevice);
    const group = await createConversation(app.url, alice.token, [bob.id, carol.id], 'Embedded');
    const ws = await connect(app, bob);
    await sendMessage(app.url, alice.token, group.id, 'Bob is here');
    // Carol's job and Bob's are checked in one batch, before either is pushed.
    await service.waitForText(carolDevice, 'Bob is here');
    await ws.dispose();
    await waitForStatus(app.url, alice.token, bob.id, 'OFFLINE');
    await sendMessage(app.url, alice.token, group.id, 'Bob is away');
    const push = await service.waitForText(bobDevice, 'Bob is away');
    expect(push.vapid.sub).toBe('https://chat.example.com/contact');
    expect(service.pushesTo(bobDevice).map((p) => p.payload.text)).toEqual(['Bob is away']);
  }, 60_000);
});
