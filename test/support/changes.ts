/** Operations of the change stream as client teams write them (the contract's fragments). */
import { gqlOk } from './gql.js';

/**
 * What the tests read of a message, as a fragment (the contract's operations use fragments too;
 * the cost limit counts a fragment once).
 */
export const MESSAGE_FRAGMENT = /* GraphQL */ `
  fragment MessageState on Message {
    id
    conversationId
    seq
    text
    eventSeq
    editedAt
    deletedAt
    sender {
      id
    }
    attachments {
      id
    }
    replyTo {
      id
      seq
      text
      deletedAt
      sender {
        id
      }
    }
    mentions {
      id
    }
    reactions {
      emoji
      count
      userIds
      reactedByMe
    }
  }
`;
export const MESSAGE_STATE = '...MessageState';

export const EVENT_FIELDS = /* GraphQL */ `
  __typename eventSeq conversationId change
  ... on MessageEvent { message { ${MESSAGE_STATE} } }
  ... on MemberEvent { user { id } role actor { id } }
  ... on ConversationUpdatedEvent { conversation { id title avatarUrl } }
`;

export const CONVERSATION_EVENTS = `subscription($c: ID, $after: Int) {
  conversationEvents(conversationId: $c, afterEventSeq: $after) { ${EVENT_FIELDS} }
} ${MESSAGE_FRAGMENT}`;

export const CONVERSATION_CHANGES = `query($c: ID!, $after: Int!, $first: Int) {
  conversationChanges(conversationId: $c, afterEventSeq: $after, first: $first) {
    events { ${EVENT_FIELDS} } endEventSeq hasMore
  }
} ${MESSAGE_FRAGMENT}`;

/** A fresh load of a conversation as a client makes it: its messages and members, now. */
export const FRESH_LOAD = `query($c: ID!, $n: Int = 200) {
  conversation(id: $c) { id title avatarUrl lastEventSeq members { user { id } role } }
  messages(conversationId: $c, last: $n) { edges { node { ${MESSAGE_STATE} } } }
} ${MESSAGE_FRAGMENT}`;

export interface ChangeEvent {
  __typename: 'MessageEvent' | 'MemberEvent' | 'ConversationUpdatedEvent';
  eventSeq: number;
  conversationId: string;
  change: string;
  message?: any;
  user?: { id: string };
  role?: string | null;
  actor?: { id: string } | null;
  conversation?: { id: string; title: string | null; avatarUrl: string | null };
}

/** Every change after `after`, through every page of conversationChanges. */
export async function allChanges(
  baseUrl: string,
  token: string,
  conversationId: string,
  after = 0,
  first?: number,
): Promise<{ events: ChangeEvent[]; endEventSeq: number; pages: number }> {
  const events: ChangeEvent[] = [];
  let pages = 0;
  for (;;) {
    const { conversationChanges: page } = await gqlOk(
      baseUrl,
      CONVERSATION_CHANGES,
      { c: conversationId, after, first },
      token,
    );
    pages++;
    events.push(...page.events);
    after = page.endEventSeq;
    if (!page.hasMore) return { events, endEventSeq: after, pages };
  }
}

/** What a client holds of a conversation: messages by id, members by user id, its header. */
export interface ClientState {
  messages: Map<string, any>;
  members: Map<string, string>;
  title: string | null;
  avatarUrl: string | null;
  lastEventSeq: number;
}

/** A client's state from a fresh load. */
export async function freshState(
  baseUrl: string,
  token: string,
  conversationId: string,
): Promise<ClientState> {
  const data = await gqlOk(baseUrl, FRESH_LOAD, { c: conversationId }, token);
  return {
    messages: new Map(data.messages.edges.map((e: any) => [e.node.id, e.node])),
    members: new Map(data.conversation.members.map((m: any) => [m.user.id, m.role])),
    title: data.conversation.title,
    avatarUrl: data.conversation.avatarUrl,
    lastEventSeq: data.conversation.lastEventSeq,
  };
}

/** Applies changes as the contract's recipe says: replace by message id, by user id. */
export function applyChanges(state: ClientState, events: ChangeEvent[]): ClientState {
  const next: ClientState = {
    ...state,
    messages: new Map(state.messages),
    members: new Map(state.members),
  };
  for (const event of events) {
    if (event.eventSeq <= next.lastEventSeq) continue;
    if (event.message) next.messages.set(event.message.id, event.message);
    if (event.user) {
      if (event.role) next.members.set(event.user.id, event.role);
      else next.members.delete(event.user.id);
    }
    if (event.conversation) {
      next.title = event.conversation.title;
      next.avatarUrl = event.conversation.avatarUrl;
    }
    next.lastEventSeq = event.eventSeq;
  }
  return next;
}
