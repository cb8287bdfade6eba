/**
 * The conversation list, newest activity first, with unread counts: loaded once, then kept
 * current by the live change stream of all the user's conversations (conversationEvents without
 * a conversation: new messages move a conversation up and count as unread unless it is the one
 * being read, edits and deletions update its preview, title changes its name, leaving removes
 * it) and by the user's own read receipts (read on another tab or device: the badge clears
 * here too). Each conversation's `lastEventSeq` makes an event apply at most once; a gap, an
 * unknown conversation or a reconnect loads the list again.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Api } from '../api/client';
import { describeError } from '../api/errors';
import {
  ConversationDocument,
  ConversationEventsDocument,
  ConversationsDocument,
  ReadReceiptsDocument,
  type ConversationEventFieldsFragment,
  type ConversationsQuery,
  type MarkConversationReadMutation,
} from '../gql/graphql';
import type { PresenceStore } from './presence';

export type ConversationItem = ConversationsQuery['conversations']['edges'][number]['node'];
export type ReadState = MarkConversationReadMutation['markConversationRead'];

export interface ConversationList {
  status: 'loading' | 'ready' | 'error';
  error?: string;
  items: ConversationItem[];
  refresh(): Promise<void>;
  /** The caller's read state of one conversation, as markConversationRead answered it. */
  applyRead(read: ReadState): void;
  /** The conversation open on screen (its new messages are read, not counted), or null. */
  setReading(conversationId: string | null): void;
  get(conversationId: string): ConversationItem | undefined;
}

const PAGE_SIZE = 100;
const REFRESH_AFTER_MS = 300;

type Outcome = { items: ConversationItem[]; reload?: boolean };

/** One live change applied to the list (pure). */
export function applyEvent(
  items: ConversationItem[],
  event: ConversationEventFieldsFragment,
  meId: string,
  readingId: string | null,
): Outcome {
  const conversation = items.find((c) => c.id === event.conversationId);
  if (!conversation) {
    // A conversation that someone just started with us, or added us to.
    const leaving = event.__typename === 'MemberEvent' && event.user.id === meId && !event.role;
    return { items, reload: !leaving };
  }
  if (event.eventSeq <= conversation.lastEventSeq) return { items };
  // A skipped eventSeq: something was missed (it applies all the same; the reload repairs).
  const reload = event.eventSeq > conversation.lastEventSeq + 1;
  let next: ConversationItem = { ...conversation, lastEventSeq: event.eventSeq };
  let first = false;
  switch (event.__typename) {
    case 'MessageEvent': {
      const m = event.message;
      const mine = m.sender.id === meId;
      if (event.change === 'MESSAGE_CREATED') {
        first = true;
        next = { ...next, lastMessage: m, lastMessageAt: m.createdAt };
        // Sending means having read what came before.
        if (mine) next = { ...next, lastReadSeq: m.seq, unreadCount: 0, unreadMentionCount: 0 };
        else if (readingId !== next.id && m.seq > next.lastReadSeq) {
          const mentioned = m.mentions.some((u) => u.id === meId);
          next = {
            ...next,
            unreadCount: next.unreadCount + 1,
            unreadMentionCount: next.unreadMentionCount + (mentioned ? 1 : 0),
          };
        }
      } else {
        if (next.lastMessage?.id === m.id) next = { ...next, lastMessage: m };
        if (event.change === 'MESSAGE_DELETED' && !mine && m.seq > next.lastReadSeq)
          next = { ...next, unreadCount: Math.max(0, next.unreadCount - 1) };
      }
      break;
    }
    case 'MemberEvent':
      if (event.user.id === meId && !event.role)
        return { items: items.filter((c) => c !== conversation) };
      // Someone joined or left: the name and the presence dots come from the members.
      if (event.change !== 'MEMBER_ROLE_CHANGED') return { items, reload: true };
      break;
    case 'ConversationUpdatedEvent':
      next = { ...next, title: event.conversation.title, avatarUrl: event.conversation.avatarUrl };
      break;
  }
  const rest = items.filter((c) => c !== conversation);
  return {
    items: first ? [next, ...rest] : items.map((c) => (c === conversation ? next : c)),
    reload,
  };
}

export function useConversationList(
  api: Api,
  presence: PresenceStore,
  meId: string,
): ConversationList {
  const [state, setState] = useState<Pick<ConversationList, 'status' | 'error' | 'items'>>({
    status: 'loading',
    items: [],
  });
  // The list as last changed (state lags a render behind): every change goes through update.
  const items = useRef<ConversationItem[]>([]);
  const update = useCallback((change: (list: ConversationItem[]) => ConversationItem[]) => {
    const next = change(items.current);
    if (next === items.current) return;
    items.current = next;
    setState((s) => ({ ...s, items: next }));
  }, []);
  const reading = useRef<string | null>(null);

  const fetchList = useCallback(
    () =>
      api.client
        .query(ConversationsDocument, { first: PAGE_SIZE }, { requestPolicy: 'network-only' })
        .toPromise(),
    [api],
  );

  const apply = useCallback(
    (result: Awaited<ReturnType<typeof fetchList>>) => {
      if (!result.data) {
        const error = result.error ? describeError(result.error) : 'Could not load conversations';
        setState((s) => ({ ...s, status: s.items.length > 0 ? 'ready' : 'error', error }));
        return;
      }
      const loaded = result.data.conversations.edges.map((edge) => edge.node);
      presence.set(
        loaded.flatMap((c) => c.participants.map((p) => [p.id, p.presence.status] as const)),
      );
      items.current = loaded;
      setState({ status: 'ready', items: loaded });
    },
    [presence],
  );

  const refresh = useCallback(() => fetchList().then(apply), [fetchList, apply]);

  const patch = useCallback(
    (id: string, change: Partial<ConversationItem>) =>
      update((list) => list.map((c) => (c.id === id ? { ...c, ...change } : c))),
    [update],
  );

  const applyRead = useCallback(
    ({ id, ...read }: ReadState) => {
      const held = items.current.find((c) => c.id === id);
      if (held && held.lastReadSeq <= read.lastReadSeq) patch(id, read);
    },
    [patch],
  );

  useEffect(() => {
    let reloadTimer: ReturnType<typeof setTimeout> | undefined;
    const reloadSoon = () => {
      clearTimeout(reloadTimer);
      reloadTimer = setTimeout(() => void refresh(), REFRESH_AFTER_MS);
    };
    void refresh();
    const stopEvents = api.live.subscribe(
      ConversationEventsDocument,
      {},
      ({ conversationEvents: event }) => {
        const readingId = document.visibilityState === 'visible' ? reading.current : null;
        let reload = false;
        update((list) => {
          const outcome = applyEvent(list, event, meId, readingId);
          reload = outcome.reload ?? false;
          return outcome.items;
        });
        if (reload) reloadSoon();
      },
    );
    // Read elsewhere (another tab or device of the user's): the counts here follow.
    const stopReceipts = api.live.subscribe(ReadReceiptsDocument, {}, ({ readReceipts: r }) => {
      if (r.userId !== meId) return;
      const held = items.current.find((c) => c.id === r.conversationId);
      if (!held || held.lastReadSeq >= r.lastReadSeq) return;
      if (r.lastReadSeq >= (held.lastMessage?.seq ?? 0)) {
        patch(held.id, { lastReadSeq: r.lastReadSeq, unreadCount: 0, unreadMentionCount: 0 });
        return;
      }
      void api.client
        .query(ConversationDocument, { id: held.id }, { requestPolicy: 'network-only' })
        .toPromise()
        .then(({ data }) => {
          if (!data) return;
          const { id, lastReadSeq, unreadCount, unreadMentionCount } = data.conversation;
          applyRead({ id, lastReadSeq, unreadCount, unreadMentionCount });
        });
    });
    const stopReconnect = api.live.onReconnect(() => void refresh());
    return () => {
      clearTimeout(reloadTimer);
      stopEvents();
      stopReceipts();
      stopReconnect();
    };
  }, [api, meId, refresh, update, patch, applyRead]);

  const setReading = useCallback((id: string | null) => {
    reading.current = id;
  }, []);
  const get = useCallback((id: string) => items.current.find((c) => c.id === id), []);

  return useMemo(
    () => ({ ...state, refresh, applyRead, setReading, get }),
    [state, refresh, applyRead, setReading, get],
  );
}
