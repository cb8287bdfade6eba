/**
 * PushJobsRepository.enqueue on real PostgreSQL: it answers how many jobs its statement made,
 * which the scheduler uses to wake the worker only when there is something to push.
 */
import { createECDH, randomBytes } from 'node:crypto';
import webpush from 'web-push';
import { describe, expect, it } from 'vitest';
import { PushJobsRepository } from '../../src/push/push-jobs.repository.js';
import { createConversation, sendMessage } from '../support/factories.js';
import { useApp } from '../support/fixtures.js';
import { gqlOk, registerUsers } from '../support/gql.js';
import { waitUntil } from '../support/wait.js';

const vapid = webpush.generateVAPIDKeys();
const REGISTER = `mutation($input: RegisterPushDeviceInput!) { registerPushDevice(input: $input) { id } }`;
const DELAY = 3600;

describe('PushJobsRepository.enqueue', () => {
  // Jobs an hour away: the worker of this instance never takes them during the test.
  const { app, db } = useApp({
    env: {
      WEB_PUSH_VAPID_PUBLIC_KEY: vapid.publicKey,
      WEB_PUSH_VAPID_PRIVATE_KEY: vapid.privateKey,
      WEB_PUSH_SUBJECT: 'mailto:ops@example.com',
      PUSH_DELAY_SECONDS: String(DELAY),
    },
  });

  it('answers how many jobs it made: one per member with a device, none again, none without', async () => {
    const [alice, bob, carol] = await registerUsers(app.url, ['alice', 'bob', 'carol']);
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const input = {
      kind: 'WEB_PUSH',
      endpoint: 'https://push.example.com/bob',
      p256dh: ecdh.getPublicKey().toString('base64url'),
      auth: randomBytes(16).toString('base64url'),
    };
    await gqlOk(app.url, REGISTER, { input }, bob.token);
    const group = await createConversation(app.url, alice.token, [bob.id, carol.id], 'g');
    const toCarol = await createConversation(app.url, alice.token, [carol.id]);
    const jobs = app.app.get(PushJobsRepository);
    const jobsOf = (messageId: string) =>
      db.query('SELECT user_id FROM push_jobs WHERE message_id = $1', [messageId]);

    // The send made Bob's job (Carol has no device); enqueueing it again makes none.
    const m = await sendMessage(app.url, alice.token, group.id, 'hello');
    await waitUntil(async () => (await jobsOf(m.id)).length === 1, "the send's push job");
    expect(await jobsOf(m.id)).toEqual([{ user_id: bob.id }]);
    expect(await jobs.enqueue(m.id, group.id, alice.id, DELAY)).toBe(0);
    await db.query('DELETE FROM push_jobs WHERE message_id = $1', [m.id]);
    expect(await jobs.enqueue(m.id, group.id, alice.id, DELAY)).toBe(1);

    const n = await sendMessage(app.url, alice.token, toCarol.id, 'no device');
    expect(await jobs.enqueue(n.id, toCarol.id, alice.id, DELAY)).toBe(0);
    expect(await jobsOf(n.id)).toEqual([]);
  });
});
