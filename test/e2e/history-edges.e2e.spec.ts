/**
 * Edges of history and resume: a live stream that finds more than one replay batch missing
 * (say, publishes lost while Redis was away) fills all of it, and `afterSeq` combines with
 * `last` like the `after` cursor it stands for.
 */
import { describe, expect, it } from 'vitest';
import { createConversation, MESSAGE_ADDED, sendMessage } from '../support/factories.js';
import { useApp } from '../support/fixtures.js';
import { gqlOk, registerUsers } from '../support/gql.js';
import { connectWs, subscribe, waitForSubscriptions } from '../support/ws.js';

const { app, db } = useApp();

describe('gap filling', () => {
  it('delivers every missing message before a live one, even more than a replay batch', async () => {
    const [alice, bob] = await registerUsers(app.url, ['alice', 'bob']);
    const c = await createConversation(app.url, alice.token, [bob.id], 'gaps');
    await sendMessage(app.url, alice.token, c.id, 'first');

    const ws = await connectWs(app.wsUrl, bob.token);
    const sub = await waitForSubscriptions([app], 1, () =>
      subscribe(ws, MESSAGE_ADDED, { c: c.id }),
    );
    // The stream is surely live once a message sent now arrives.
    await sendMessage(app.url, alice.token, c.id, 'probe');
    await sub.waitFor(1);

    // 1,200 messages stored without being published, as if Redis had dropped them all.
    await db.query(
      `INSERT INTO messages (conversation_id, seq, sender_id, text, created_at, event_seq)
       SELECT $1, g, $2, 'unpublished ' || g, now(), g + 2 FROM generate_series(3, 1202) g`,
      [c.id, alice.id],
    );
    // Two memberships took eventSeq 1 and 2; each message one more.
    await db.query(
      'UPDATE conversations SET last_seq = 1202, last_event_seq = 1204 WHERE id = $1',
      [c.id],
    );
    const live = await sendMessage(app.url, alice.token, c.id, 'live');
    expect(live.seq).toBe(1203);

    await sub.waitFor(1202, 20_000);
    expect(sub.events.map((e) => e.messageAdded.seq)).toEqual(
      Array.from({ length: 1202 }, (_, i) => i + 2),
    );
    expect(sub.events[0].messageAdded.sender.id).toBe(alice.id);
    await ws.dispose();
  });
});

describe('afterSeq', () => {
  it('works with last, as the after cursor it stands for', async () => {
    const [alice, bob] = await registerUsers(app.url, ['alice', 'bob']);
    const c = await createConversation(app.url, alice.token, [bob.id], 'after and last');
    for (let i = 1; i <= 10; i++) await sendMessage(app.url, alice.token, c.id, `m${i}`);
    const query = `query($c: ID!, $s: Int, $last: Int) {
      messages(conversationId: $c, afterSeq: $s, last: $last) { edges { node { seq } } pageInfo { hasPreviousPage } }
    }`;
    const newestAfter5 = await gqlOk(app.url, query, { c: c.id, s: 5, last: 3 }, bob.token);
    expect(newestAfter5.messages.edges.map((e: any) => e.node.seq)).toEqual([8, 9, 10]);
    const all = await gqlOk(app.url, query, { c: c.id, s: 7 }, bob.token);
    expect(all.messages.edges.map((e: any) => e.node.seq)).toEqual([8, 9, 10]);
  });
});
