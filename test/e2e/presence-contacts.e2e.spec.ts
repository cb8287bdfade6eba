/**
 * Whose presence a presenceChanged subscriber follows, as membership changes while it is open, on
 * two instances sharing PostgreSQL and Redis: a conversation created, a member added, a member
 * who left. Each change is followed at once (membership events), not at the next message.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PresenceWatchers } from '../../src/presence/presence.watchers.js';
import type { InProcessApp } from '../support/app.js';
import { useApp } from '../support/fixtures.js';
import { createConversation } from '../support/factories.js';
import { gqlOk, registerUsers, type TestUser } from '../support/gql.js';
import {
  connectWs,
  subscribe,
  waitForSubscriptions,
  type Subscription,
  type WsClient,
} from '../support/ws.js';
import { waitUntil } from '../support/wait.js';

const PRESENCE_CHANGED = /* GraphQL */ `
  subscription {
    presenceChanged {
      userId
      status
    }
  }
`;
type Changes = Subscription<{ presenceChanged: { userId: string; status: string } }>;

const { apps } = useApp({ instances: 2 });
const [a, b] = apps;
const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  await Promise.allSettled(cleanups.splice(0).map((c) => c()));
});

async function connect(app: InProcessApp, user: TestUser): Promise<WsClient> {
  const ws = await connectWs(app.wsUrl, user.token);
  cleanups.push(() => ws.dispose());
  return ws;
}

/** `user` subscribed to presenceChanged on instance a, once the subscription is live there. */
async function listen(user: TestUser): Promise<Changes> {
  const ws = await connect(a, user);
  return waitForSubscriptions([a], 1, () => subscribe(ws, PRESENCE_CHANGED));
}

const followed = (user: TestUser) => a.app.get(PresenceWatchers).isWatching(user.id);

const about = (changes: Changes, user: TestUser) =>
  changes.events.map((e) => e.presenceChanged).filter((p) => p.userId === user.id);

async function seen(changes: Changes, user: TestUser, status: string): Promise<void> {
  await waitUntil(
    () => about(changes, user).some((p) => p.status === status),
    `${user.username} ${status} (errors ${JSON.stringify(changes.errors)})`,
  );
}

describe('presenceChanged follows membership changes at once', () => {
  it('follows the other member of a conversation created after it started, before any message', async () => {
    const [alice, zed] = await registerUsers(a.url, ['alice', 'zed']);
    const changes = await listen(alice);
    // Created on the other instance; nobody sends a message in it.
    await createConversation(b.url, zed.token, [alice.id]);
    await waitUntil(() => followed(zed), 'alice following zed');
    await connect(b, zed);
    await seen(changes, zed, 'ONLINE');
  });

  it('follows a member added to a group, before any message', async () => {
    const [alice, bob, erin] = await registerUsers(a.url, ['alice', 'bob', 'erin']);
    const group = await createConversation(a.url, alice.token, [bob.id], 'added');
    const changes = await listen(alice);
    await waitUntil(() => followed(bob), 'alice following bob');
    await gqlOk(
      b.url,
      `mutation($c: ID!, $u: [ID!]!) { addParticipants(conversationId: $c, userIds: $u) { id } }`,
      { c: group.id, u: [erin.id] },
      // The group's owner: members may not add (issue 13).
      alice.token,
    );
    await waitUntil(() => followed(erin), 'alice following erin');
    await connect(b, erin);
    await seen(changes, erin, 'ONLINE');
  });

  it('stops following a member who left the only conversation they shared', async () => {
    const [alice, bob, erin] = await registerUsers(a.url, ['alice', 'bob', 'erin']);
    const group = await createConversation(a.url, alice.token, [bob.id, erin.id], 'left');
    const changes = await listen(alice);
    await waitUntil(() => followed(bob) && followed(erin), 'alice following bob and erin');
    await gqlOk(
      b.url,
      `mutation($c: ID!) { leaveConversation(conversationId: $c) }`,
      { c: group.id },
      erin.token,
    );
    await waitUntil(() => !followed(erin), 'alice no longer following erin');
    // Erin's ONLINE is published before bob's (each connection is claimed before its ack), and
    // Redis delivers in publish order: once bob's arrives, erin's would have.
    await connect(b, erin);
    await connect(b, bob);
    await seen(changes, bob, 'ONLINE');
    expect(about(changes, erin)).toEqual([]);
  });
});
