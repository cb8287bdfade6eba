/**
 * The conversation list, newest activity first: loaded once, then moved along by every new
 * message of any of the user's conversations (messageAdded without a conversation), and loaded
 * again after a reconnect or when a message names a conversation it does not hold yet.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Api } from '../api/client';
import { describeError } from '../api/errors';
import {
  ConversationsDocument,
  MessageAddedDocument,
  type ConversationsQuery,
} from '../gql/graphql';
import type { PresenceStore } from './presence';

export type ConversationItem = ConversationsQuery['conversations']['edges'][number]['node'];

export interface ConversationList {
  status: 'loading' | 'ready' | 'error';
  error?: string;
  items: ConversationItem[];
  refresh(): Promise<void>;
}

const PAGE_SIZE = 100;

export function useConversationList(api: Api, presence: PresenceStore): ConversationList {
  const [state, setState] = useState<Omit<ConversationList, 'refresh'>>({
    status: 'loading',
    items: [],
  });
  const known = useRef(new Set<string>());

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
      const items = result.data.conversations.edges.map((edge) => edge.node);
      known.current = new Set(items.map((c) => c.id));
      presence.set(
        items.flatMap((c) => c.participants.map((p) => [p.id, p.presence.status] as const)),
      );
      setState({ status: 'ready', items });
    },
    [presence],
  );

  const refresh = useCallback(() => fetchList().then(apply), [fetchList, apply]);

  useEffect(() => {
    void fetchList().then(apply);
    const stop = api.live.subscribe(MessageAddedDocument, {}, ({ messageAdded: message }) => {
      // A message in a conversation not held (one that someone just started with us): reload.
      if (!known.current.has(message.conversationId)) {
        void refresh();
        return;
      }
      setState((s) => {
        const conversation = s.items.find((c) => c.id === message.conversationId);
        if (!conversation || (conversation.lastMessage?.seq ?? 0) >= message.seq) return s;
        const updated = { ...conversation, lastMessage: message, lastMessageAt: message.createdAt };
        return { ...s, items: [updated, ...s.items.filter((c) => c !== conversation)] };
      });
    });
    const stopReconnect = api.live.onReconnect(() => void refresh());
    return () => {
      stop();
      stopReconnect();
    };
  }, [api, fetchList, apply, refresh]);

  return useMemo(() => ({ ...state, refresh }), [state, refresh]);
}
