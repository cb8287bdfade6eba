/** Builders for the state a test needs, made through the public API as a client would. */
import { gqlOk } from './gql.js';

export const MESSAGE_FIELDS = /* GraphQL */ `
  id conversationId seq text clientMessageId createdAt sender { id username }
`;

/** New messages of every conversation of the user, or of one (`$c`), from now on. */
export const MESSAGE_ADDED = `subscription($c: ID) { messageAdded(conversationId: $c) { ${MESSAGE_FIELDS} } }`;
/** One conversation's messages after seq `$s`: the stored ones, then the live ones. */
export const RESUME = `subscription($c: ID!, $s: Int!) { messageAdded(conversationId: $c, afterSeq: $s) { ${MESSAGE_FIELDS} } }`;

export async function createConversation(
  baseUrl: string,
  token: string,
  participantIds: string[],
  title?: string,
): Promise<{ id: string; isDirect: boolean }> {
  const data = await gqlOk(
    baseUrl,
    `mutation($input: CreateConversationInput!) { createConversation(input: $input) { id isDirect } }`,
    { input: { participantIds, title } },
    token,
  );
  return data.createConversation;
}

export interface SentMessage {
  id: string;
  conversationId: string;
  seq: number;
  text: string;
  clientMessageId: string | null;
  sender: { id: string; username: string };
}

export async function sendMessage(
  baseUrl: string,
  token: string,
  conversationId: string,
  text: string,
  clientMessageId?: string,
): Promise<SentMessage> {
  const data = await gqlOk(
    baseUrl,
    `mutation($input: SendMessageInput!) { sendMessage(input: $input) { ${MESSAGE_FIELDS} } }`,
    { input: { conversationId, text, clientMessageId } },
    token,
  );
  return data.sendMessage;
}
