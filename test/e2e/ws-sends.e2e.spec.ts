/**
 * Sends over the socket a client already holds (contract, Transport): a sendMessage mutation on
 * the graphql-ws connection is the connection's user's send, with the rules of an HTTP send —
 * stored once with the next seq and delivered across instances, bad input refused with
 * BAD_USER_INPUT and nothing stored, a non-participant answered NOT_FOUND.
 */
import { describe, expect, it } from 'vitest';
import { createConversation, MESSAGE_ADDED, sendMessage } from '../support/factories.js';
import { useApp, useSockets, useUsers } from '../support/fixtures.js';
import { queryWs, subscribe, waitForSubscriptions, type WsClient } from '../support/ws.js';

const SEND = `mutation($i: SendMessageInput!) { sendMessage(input: $i) { seq text sender { id } } }`;

/** The error code the server answered a socket operation with (queryWs throws with them). */
async function codeOf(operation: Promise<unknown>): Promise<string | undefined> {
  try {
    await operation;
    return undefined;
  } catch (error) {
    const json = /GraphQL errors: (.*)$/s.exec(String((error as Error).message))?.[1];
    return json
      ? (JSON.parse(json) as { extensions?: { code?: string } }[])[0]?.extensions?.code
      : undefined;
  }
}

describe('sends over the socket', () => {
  const { apps } = useApp({ instances: 2 });
  const [a, b] = apps;
  const open = useSockets();
  const [alice, bob, carol] = useUsers(a, ['alice', 'bob', 'carol']);
  const send = (ws: WsClient, conversationId: string, text: string) =>
    queryWs(ws, SEND, { i: { conversationId, text } });

  it('stores and delivers a mutation sent on the connection as its user, with the HTTP rules', async () => {
    const c = await createConversation(a.url, alice.token, [bob.id]);
    const aliceWs = await open(a, alice);
    const carolWs = await open(a, carol);
    const bobWs = await open(b, bob);
    const bobSub = await waitForSubscriptions([b], 1, () =>
      subscribe(bobWs, MESSAGE_ADDED, { c: c.id }),
    );
    await sendMessage(a.url, alice.token, c.id, 'ready');

    expect(await send(aliceWs, c.id, '  over the socket  ')).toEqual({
      sendMessage: { seq: 2, text: 'over the socket', sender: { id: alice.id } },
    });
    // Refused input and a stranger store nothing: the next send takes seq 3.
    expect(await codeOf(send(aliceWs, c.id, '   '))).toBe('BAD_USER_INPUT');
    expect(await codeOf(send(carolWs, c.id, 'not mine'))).toBe('NOT_FOUND');
    expect((await send(aliceWs, c.id, 'after')).sendMessage.seq).toBe(3);

    const events = await bobSub.waitFor(3);
    expect(events.map((e) => [e.messageAdded.seq, e.messageAdded.text])).toEqual([
      [1, 'ready'],
      [2, 'over the socket'],
      [3, 'after'],
    ]);
  });
});
