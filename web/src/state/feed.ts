/**
 * One conversation's messages as the user sees them: the confirmed ones (from history pages,
 * live events and send results), unique by id and in seq order, then the user's own messages
 * not confirmed yet (sending, or failed with a retry). Pure, so the merge rules are unit-tested.
 */
import type { MessageFieldsFragment } from '../gql/graphql';

export type Message = MessageFieldsFragment;

export interface PendingMessage {
  clientMessageId: string;
  text: string;
  fileNames: string[];
  status: 'sending' | 'failed';
  error?: string;
}

export interface FeedState {
  status: 'loading' | 'ready' | 'error';
  error?: string;
  messages: Message[];
  pending: PendingMessage[];
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
  olderCursor: null,
  hasOlder: false,
  loadingOlder: false,
};

/** Adds messages to a seq-ordered list, once each (by id), keeping seq order. */
export function mergeMessages(held: Message[], incoming: Message[]): Message[] {
  if (incoming.length === 0) return held;
  const last = held.at(-1)?.seq ?? 0;
  // The common case, a live message after everything held: no re-sort.
  if (incoming.every((m, i) => m.seq > (i === 0 ? last : incoming[i - 1].seq)))
    return [...held, ...incoming];
  const byId = new Map(held.map((m) => [m.id, m]));
  for (const m of incoming) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
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

export function feedReducer(state: FeedState, action: FeedAction): FeedState {
  switch (action.type) {
    case 'loaded': {
      const messages = mergeMessages(state.messages, action.page.messages);
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
        messages: mergeMessages(state.messages, action.page.messages),
        olderCursor: action.page.startCursor ?? state.olderCursor,
        hasOlder: action.page.hasPreviousPage,
      };
    case 'olderFailed':
      return { ...state, loadingOlder: false };
    case 'received': {
      const messages = mergeMessages(state.messages, [action.message]);
      return { ...state, messages, pending: withoutPending(state.pending, [action.message]) };
    }
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
