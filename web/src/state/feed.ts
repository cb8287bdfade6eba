/**
 * One conversation's messages as the user sees them: the confirmed ones (from history pages,
 * the change stream and mutation answers), unique by id and in seq order, each in its latest
 * state (the highest `eventSeq` wins, so a late or repeated event changes nothing), then the
 * user's own messages not confirmed yet (sending, or failed with a retry). Pure, so the merge
 * rules are unit-tested.
 */
import type { MessageFieldsFragment } from '../gql/graphql';

export type Message = MessageFieldsFragment;

/** What a reply shows of the message it answers. */
export type Quote = NonNullable<Message['replyTo']>;

export interface PendingMessage {
  clientMessageId: string;
  text: string;
  fileNames: string[];
  replyTo?: Quote;
  status: 'sending' | 'failed';
  error?: string;
}

export interface FeedState {
  status: 'loading' | 'ready' | 'error';
  error?: string;
  messages: Message[];
  pending: PendingMessage[];
  /**
   * Changes to messages older than those held (edited or deleted while not loaded): applied
   * when their page comes, in case that page was read before the change.
   */
  outside: Record<string, Message>;
  /** Cursor of the oldest message held, to page back with `before`. */
  olderCursor: string | null;
  hasOlder: boolean;
  loadingOlder: boolean;
}

export interface Page {
  messages: Message[];
  startCursor: string | null;
  hasPreviousPage: boolean;
}

export type FeedAction =
  | { type: 'loaded'; page: Page }
  | { type: 'loadFailed'; error: string }
  | { type: 'loadingOlder' }
  | { type: 'olderLoaded'; page: Page }
  | { type: 'olderFailed' }
  | { type: 'received'; message: Message }
  | { type: 'queued'; pending: PendingMessage }
  | { type: 'sendFailed'; clientMessageId: string; error: string }
  | { type: 'retrying'; clientMessageId: string };

export const initialFeed: FeedState = {
  status: 'loading',
  messages: [],
  pending: [],
  outside: {},
  olderCursor: null,
  hasOlder: false,
  loadingOlder: false,
};

/** The later state of one message: the higher eventSeq (a tie is the same state: kept). */
function newer(held: Message | undefined, incoming: Message): Message {
  return held && held.eventSeq >= incoming.eventSeq ? held : incoming;
}

/** Adds messages to a seq-ordered list, once each (by id, latest state), keeping seq order. */
export function mergeMessages(held: Message[], incoming: Message[]): Message[] {
  if (incoming.length === 0) return held;
  const last = held.at(-1)?.seq ?? 0;
  // The common case, a live message after everything held: no re-sort.
  if (incoming.every((m, i) => m.seq > (i === 0 ? last : incoming[i - 1].seq)))
    return [...held, ...incoming];
  const byId = new Map(held.map((m) => [m.id, m]));
  let changed = false;
  for (const m of incoming) {
    const kept = newer(byId.get(m.id), m);
    if (kept === byId.get(m.id)) continue;
    byId.set(m.id, kept);
    changed = true;
  }
  return changed ? [...byId.values()].sort((a, b) => a.seq - b.seq) : held;
}

function withoutPending(pending: PendingMessage[], messages: Message[]): PendingMessage[] {
  const confirmed = new Set(messages.map((m) => m.clientMessageId).filter(Boolean));
  return confirmed.size === 0 ? pending : pending.filter((p) => !confirmed.has(p.clientMessageId));
}

function updatePending(
  state: FeedState,
  clientMessageId: string,
  change: Partial<PendingMessage>,
): FeedState {
  return {
    ...state,
    pending: state.pending.map((p) =>
      p.clientMessageId === clientMessageId ? { ...p, ...change } : p,
    ),
  };
}

/** A page, with the changes already seen of its messages. */
function withOutside(state: FeedState, page: Page): Message[] {
  return page.messages.map((m) => (state.outside[m.id] ? newer(state.outside[m.id], m) : m));
}

function receive(state: FeedState, message: Message): FeedState {
  const oldest = state.messages[0];
  // Older than the window held (and not in it): remember the change for when its page comes.
  if (state.status === 'ready' && oldest && message.seq < oldest.seq) {
    const outside = { ...state.outside, [message.id]: newer(state.outside[message.id], message) };
    return { ...state, outside };
  }
  const messages = mergeMessages(state.messages, [message]);
  return { ...state, messages, pending: withoutPending(state.pending, [message]) };
}

export function feedReducer(state: FeedState, action: FeedAction): FeedState {
  switch (action.type) {
    case 'loaded': {
      const messages = mergeMessages(state.messages, withOutside(state, action.page));
      return {
        ...state,
        status: 'ready',
        messages,
        pending: withoutPending(state.pending, messages),
        olderCursor: action.page.startCursor,
        hasOlder: action.page.hasPreviousPage,
      };
    }
    case 'loadFailed':
      return { ...state, status: 'error', error: action.error };
    case 'loadingOlder':
      return { ...state, loadingOlder: true };
    case 'olderLoaded':
      return {
        ...state,
        loadingOlder: false,
        messages: mergeMessages(state.messages, withOutside(state, action.page)),
        olderCursor: action.page.startCursor ?? state.olderCursor,
        hasOlder: action.page.hasPreviousPage,
      };
    case 'olderFailed':
      return { ...state, loadingOlder: false };
    case 'received':
      return receive(state, action.message);
    case 'queued':
      return { ...state, pending: [...state.pending, action.pending] };
    case 'sendFailed':
      return updatePending(state, action.clientMessageId, {
        status: 'failed',
        error: action.error,
      });
    case 'retrying':
      return updatePending(state, action.clientMessageId, { status: 'sending', error: undefined });
  }
}
