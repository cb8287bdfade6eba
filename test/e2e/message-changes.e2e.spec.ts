/**
 * Messages that change, on two instances over Redis and one PostgreSQL: edits, tombstones,
 * reactions, replies and mentions, who may do each (a stranger NOT_FOUND as for an unknown id, a
 * member without the right FORBIDDEN, a deleted target CONFLICT, bad input BAD_USER_INPUT naming
 * the field), and that a refusal stores nothing and uses no eventSeq.
 */
import { describe, expect, it } from 'vitest';
import {
  CONVERSATION_EVENTS,
  MESSAGE_FRAGMENT,
  MESSAGE_STATE,
  type ChangeEvent,
} from '../support/changes.js';
import { createConversation, sendMessage } from '../support/factories.js';
import { png, upload } from '../support/files.js';
import { useApp, useSockets, useUsers } from '../support/fixtures.js';
import { errorCode, gql, gqlOk, type GqlResponse } from '../support/gql.js';
import { subscribe, waitForSubscriptions } from '../support/ws.js';

const {
  db,
  apps: [a, b],
} = useApp({ instances: 2 });
const open = useSockets();
const [alice, bob, carol, dave] = useUsers(a, ['alice', 'bob', 'carol', 'dave']);

const EDIT = `mutation($input: EditMessageInput!) { editMessage(input: $input) { ${MESSAGE_STATE} } } ${MESSAGE_FRAGMENT}`;
const DELETE = `mutation($m: ID!) { deleteMessage(messageId: $m) { ${MESSAGE_STATE} } } ${MESSAGE_FRAGMENT}`;
const ADD = `mutation($m: ID!, $e: String!) { addReaction(messageId: $m, emoji: $e) { ${MESSAGE_STATE} } } ${MESSAGE_FRAGMENT}`;
const REMOVE = `mutation($m: ID!, $e: String!) { removeReaction(messageId: $m, emoji: $e) { ${MESSAGE_STATE} } } ${MESSAGE_FRAGMENT}`;
const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { ${MESSAGE_STATE} } } ${MESSAGE_FRAGMENT}`;
// Page sizes as variables, as clients pass them (a literal counts in the query cost).
const HISTORY = `query($c: ID!, $n: Int = 50) { messages(conversationId: $c, last: $n) { edges { node { ${MESSAGE_STATE} } } } } ${MESSAGE_FRAGMENT}`;

const lastEventSeq = async (conversationId: string) =>
  (await db.query('SELECT last_event_seq FROM conversations WHERE id = $1', [conversationId]))[0]
    .last_event_seq as number;

/** The error's code and the fields it names. */
const refusal = (res: GqlResponse) => ({
  code: errorCode(res),
  fields: ((res.errors?.[0]?.extensions?.fields as { field: string }[] | undefined) ?? []).map(
    (f) => f.field,
  ),
});

/** Runs a refused request and checks that nothing was stored: no eventSeq used. */
async function refused(conversationId: string, request: () => Promise<GqlResponse>) {
  const before = await lastEventSeq(conversationId);
  const res = await request();
  expect(res.data ?? null).toBeNull();
  expect(await lastEventSeq(conversationId)).toBe(before);
  return refusal(res);
}

async function group(title: string) {
  return createConversation(a.url, alice.token, [bob.id, carol.id], title);
}

describe('editMessage', () => {
  it('lets the sender edit, with editedAt and the next eventSeq', async () => {
    const c = await group('edits');
    const sent = await sendMessage(a.url, bob.token, c.id, 'helo');
    const { editMessage } = await gqlOk(
      b.url,
      EDIT,
      { input: { messageId: sent.id, text: '  hello  ' } },
      bob.token,
    );
    expect(editMessage).toMatchObject({ id: sent.id, seq: 1, text: 'hello', eventSeq: 5 });
    expect(editMessage.editedAt).not.toBeNull();
    expect(await lastEventSeq(c.id)).toBe(5);
  });

  it('refuses others, strangers, unknown ids and empty text, storing nothing', async () => {
    const c = await group('edit refusals');
    const sent = await sendMessage(a.url, bob.token, c.id, 'mine');
    const edit = (token: string, messageId: string, text: string) => () =>
      gql(a.url, EDIT, { input: { messageId, text } }, token);
    expect(await refused(c.id, edit(alice.token, sent.id, 'x'))).toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await refused(c.id, edit(dave.token, sent.id, 'x'))).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(
      await refused(c.id, edit(bob.token, '00000000-0000-4000-8000-000000000000', 'x')),
    ).toMatchObject({ code: 'NOT_FOUND' });
    expect(await refused(c.id, edit(bob.token, 'not-an-id', 'x'))).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await refused(c.id, edit(bob.token, sent.id, '   '))).toEqual({
      code: 'BAD_USER_INPUT',
      fields: ['text'],
    });
    expect(await refused(c.id, edit(bob.token, sent.id, 'x'.repeat(4001)))).toMatchObject({
      code: 'BAD_USER_INPUT',
    });
    const [stored] = await db.query('SELECT text, edited_at FROM messages WHERE id = $1', [
      sent.id,
    ]);
    expect(stored).toEqual({ text: 'mine', edited_at: null });
  });
});

describe('deleteMessage', () => {
  it('leaves a tombstone (same id and seq, files no longer served), once', async () => {
    const c = await group('tombstones');
    const file = await upload(b.url, bob.token, c.id, png(), 'pic.png', 'image/png');
    const { sendMessage: sent } = await gqlOk(
      b.url,
      SEND,
      {
        input: {
          conversationId: c.id,
          text: 'look',
          attachmentIds: [file.body.id],
          mentionedUserIds: [carol.id],
        },
      },
      bob.token,
    );
    await gqlOk(a.url, ADD, { m: sent.id, e: '👍' }, carol.token);
    expect(
      (
        await fetch(`${a.url}/files/${file.body.id}`, {
          headers: { authorization: `Bearer ${carol.token}` },
        })
      ).status,
    ).toBe(200);

    // The group's owner deletes a member's message.
    const { deleteMessage: tombstone } = await gqlOk(a.url, DELETE, { m: sent.id }, alice.token);
    expect(tombstone).toMatchObject({
      id: sent.id,
      seq: sent.seq,
      text: '',
      attachments: [],
      mentions: [],
      reactions: [],
    });
    expect(tombstone.deletedAt).not.toBeNull();
    const seqAfter = await lastEventSeq(c.id);
    expect(tombstone.eventSeq).toBe(seqAfter);
    const download = await fetch(`${b.url}/files/${file.body.id}`, {
      headers: { authorization: `Bearer ${bob.token}` },
    });
    expect(download.status).toBe(404);
    const history = await gqlOk(b.url, HISTORY, { c: c.id }, carol.token);
    expect(history.messages.edges.map((e: any) => [e.node.id, e.node.seq, e.node.text])).toEqual([
      [sent.id, 1, ''],
    ]);

    // Again: the same tombstone, no new change.
    const again = await gqlOk(b.url, DELETE, { m: sent.id }, bob.token);
    expect(again.deleteMessage).toEqual(tombstone);
    expect(await lastEventSeq(c.id)).toBe(seqAfter);
    // A deleted message takes no edit and no reaction.
    expect(
      await refused(c.id, () =>
        gql(a.url, EDIT, { input: { messageId: sent.id, text: 'back' } }, bob.token),
      ),
    ).toMatchObject({ code: 'CONFLICT' });
    expect(
      await refused(c.id, () => gql(a.url, ADD, { m: sent.id, e: '👍' }, carol.token)),
    ).toMatchObject({
      code: 'CONFLICT',
    });
  });

  it("refuses a member deleting another's message, in groups and direct conversations", async () => {
    const c = await group('delete refusals');
    const sent = await sendMessage(a.url, alice.token, c.id, "the owner's");
    expect(await refused(c.id, () => gql(b.url, DELETE, { m: sent.id }, bob.token))).toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await refused(c.id, () => gql(b.url, DELETE, { m: sent.id }, dave.token))).toMatchObject(
      {
        code: 'NOT_FOUND',
      },
    );
    const direct = await createConversation(a.url, alice.token, [dave.id]);
    const mine = await sendMessage(a.url, alice.token, direct.id, 'direct');
    expect(
      await refused(direct.id, () => gql(a.url, DELETE, { m: mine.id }, dave.token)),
    ).toMatchObject({
      code: 'FORBIDDEN',
    });
  });
});

describe('reactions', () => {
  it('are idempotent, counted exactly, in first-used order, reactedByMe per viewer', async () => {
    const c = await group('reactions');
    const sent = await sendMessage(a.url, alice.token, c.id, 'react to me');
    await gqlOk(a.url, ADD, { m: sent.id, e: '👍' }, alice.token);
    const before = await lastEventSeq(c.id);
    const repeat = await gqlOk(b.url, ADD, { m: sent.id, e: '👍' }, alice.token);
    expect(await lastEventSeq(c.id)).toBe(before);
    expect(repeat.addReaction.reactions).toEqual([
      { emoji: '👍', count: 1, userIds: [alice.id], reactedByMe: true },
    ]);
    await gqlOk(b.url, ADD, { m: sent.id, e: '👩‍💻' }, bob.token);
    const { addReaction } = await gqlOk(a.url, ADD, { m: sent.id, e: '👍' }, bob.token);
    expect(addReaction.reactions).toEqual([
      { emoji: '👍', count: 2, userIds: [alice.id, bob.id], reactedByMe: true },
      { emoji: '👩‍💻', count: 1, userIds: [bob.id], reactedByMe: true },
    ]);
    const removed = await gqlOk(a.url, REMOVE, { m: sent.id, e: '👩‍💻' }, bob.token);
    expect(removed.removeReaction.reactions.map((r: any) => r.emoji)).toEqual(['👍']);
    const seq = await lastEventSeq(c.id);
    await gqlOk(a.url, REMOVE, { m: sent.id, e: '👩‍💻' }, bob.token);
    expect(await lastEventSeq(c.id)).toBe(seq);
    const forCarol = await gqlOk(a.url, HISTORY, { c: c.id }, carol.token);
    expect(forCarol.messages.edges[0].node.reactions).toEqual([
      { emoji: '👍', count: 2, userIds: [alice.id, bob.id], reactedByMe: false },
    ]);
  });

  it('give each subscriber of one shared event their own reactedByMe', async () => {
    const c = await group('reacted by me');
    const sent = await sendMessage(a.url, alice.token, c.id, 'shared');
    const [wsAlice, wsCarol] = await Promise.all([open(b, alice), open(b, carol)]);
    const [forAlice, forCarol] = await waitForSubscriptions([b], 2, () => [
      subscribe<{ conversationEvents: ChangeEvent }>(wsAlice, CONVERSATION_EVENTS, { c: c.id }),
      subscribe<{ conversationEvents: ChangeEvent }>(wsCarol, CONVERSATION_EVENTS, { c: c.id }),
    ]);
    await gqlOk(a.url, ADD, { m: sent.id, e: '🎉' }, alice.token);
    const [eventA] = await forAlice.waitFor(1);
    const [eventC] = await forCarol.waitFor(1);
    expect(eventA.conversationEvents.message.reactions).toEqual([
      { emoji: '🎉', count: 1, userIds: [alice.id], reactedByMe: true },
    ]);
    expect(eventC.conversationEvents.message.reactions).toEqual([
      { emoji: '🎉', count: 1, userIds: [alice.id], reactedByMe: false },
    ]);
  });

  it('refuses anything but one emoji, and a 51st different one', async () => {
    const c = await group('emoji rules');
    const sent = await sendMessage(a.url, alice.token, c.id, 'many');
    for (const emoji of ['x', '👍👍', '', ':+1:', '👍 ']) {
      expect(
        await refused(c.id, () => gql(a.url, ADD, { m: sent.id, e: emoji }, bob.token)),
      ).toEqual({
        code: 'BAD_USER_INPUT',
        fields: ['emoji'],
      });
    }
    // 50 different ones, as if reacted before.
    await db.query(
      `INSERT INTO reactions (message_id, emoji, user_id)
       SELECT $1, chr(128512 + g), $2 FROM generate_series(0, 49) g`,
      [sent.id, bob.id],
    );
    expect(
      await refused(c.id, () => gql(a.url, ADD, { m: sent.id, e: '🦄' }, carol.token)),
    ).toEqual({
      code: 'BAD_USER_INPUT',
      fields: ['emoji'],
    });
    // One of the 50 is still fine.
    const ok = await gqlOk(
      a.url,
      ADD,
      { m: sent.id, e: String.fromCodePoint(128512) },
      carol.token,
    );
    expect(ok.addReaction.reactions).toHaveLength(50);
  });
});

describe('replies and mentions', () => {
  it('show the replied message as it is now, and the members mentioned', async () => {
    const c = await group('replies');
    const first = await sendMessage(a.url, alice.token, c.id, 'question?');
    const { sendMessage: reply } = await gqlOk(
      b.url,
      SEND,
      {
        input: {
          conversationId: c.id,
          text: 'answer',
          replyToMessageId: first.id,
          mentionedUserIds: [alice.id, carol.id, alice.id],
        },
      },
      bob.token,
    );
    expect(reply.replyTo).toEqual({
      id: first.id,
      seq: 1,
      text: 'question?',
      deletedAt: null,
      sender: { id: alice.id },
    });
    expect(reply.mentions).toEqual([{ id: alice.id }, { id: carol.id }]);
    await gqlOk(a.url, DELETE, { m: first.id }, alice.token);
    const history = await gqlOk(a.url, HISTORY, { c: c.id }, carol.token);
    const shown = history.messages.edges[1].node;
    expect(shown.replyTo).toMatchObject({ id: first.id, text: '' });
    expect(shown.replyTo.deletedAt).not.toBeNull();
    expect(shown.mentions).toEqual([{ id: alice.id }, { id: carol.id }]);
  });

  it('refuses a reply to another conversation and mentions of non-members, storing nothing', async () => {
    const c = await group('reply refusals');
    const other = await createConversation(a.url, alice.token, [dave.id], 'elsewhere');
    const foreign = await sendMessage(a.url, alice.token, other.id, 'not here');
    const send = (input: object) => () =>
      gql(b.url, SEND, { input: { conversationId: c.id, text: 'hi', ...input } }, bob.token);
    expect(await refused(c.id, send({ replyToMessageId: foreign.id }))).toEqual({
      code: 'BAD_USER_INPUT',
      fields: ['replyToMessageId'],
    });
    expect(await refused(c.id, send({ replyToMessageId: 'nope' }))).toEqual({
      code: 'BAD_USER_INPUT',
      fields: ['replyToMessageId'],
    });
    expect(await refused(c.id, send({ mentionedUserIds: [dave.id] }))).toEqual({
      code: 'BAD_USER_INPUT',
      fields: ['mentionedUserIds'],
    });
    expect(
      (
        await db.query('SELECT count(*)::int AS n FROM messages WHERE conversation_id = $1', [c.id])
      )[0].n,
    ).toBe(0);
  });
});
