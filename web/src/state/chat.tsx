/**
 * Everything a signed-in screen needs, once per session: the transports, the presence of the
 * people the user shares conversations with, and the conversation list. Signing out ends the
 * session's transports (apiFor), which closes the socket: others see the user go offline.
 */
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  useSyncExternalStore,
  type ReactNode,
} from 'react';
import { Provider as UrqlProvider } from 'urql';
import { apiFor, type Api, type ConnectionStatus } from '../api/client';
import type { Session } from '../api/session';
import { PresenceChangedDocument, PresenceDocument } from '../gql/graphql';
import type { UserFieldsFragment } from '../gql/graphql';
import { useConversationList, type ConversationList } from './conversations';
import { createPresenceStore, type PresenceStore } from './presence';

export interface Chat {
  api: Api;
  me: UserFieldsFragment;
  presence: PresenceStore;
  conversations: ConversationList;
  /** Asks the server for the presence of users the store does not know yet. */
  lookUpPresence(userIds: string[]): void;
}

const ChatContext = createContext<Chat | null>(null);

export function useChat(): Chat {
  const chat = useContext(ChatContext);
  if (!chat) throw new Error('useChat outside ChatProvider');
  return chat;
}

export function useConnectionStatus(): ConnectionStatus {
  const { api } = useChat();
  return useSyncExternalStore(api.live.onStatus, api.live.status);
}

export function ChatProvider({ session, children }: { session: Session; children: ReactNode }) {
  const api = apiFor(session.since);
  // The provider is keyed by the sign-in: a new session starts from nothing.
  const [presence] = useState(createPresenceStore);
  const conversations = useConversationList(api, presence, session.user.id);

  useEffect(() => {
    const stop = api.live.subscribe(PresenceChangedDocument, {}, ({ presenceChanged: p }) =>
      presence.set([[p.userId, p.status]]),
    );
    return stop;
  }, [api, presence]);

  const lookUpPresence = useCallback(
    (userIds: string[]) => {
      const unknown = userIds.filter((id) => presence.get(id) === undefined);
      if (unknown.length === 0) return;
      void api.client
        .query(PresenceDocument, { userIds: unknown }, { requestPolicy: 'network-only' })
        .toPromise()
        .then((result) =>
          presence.set((result.data?.presence ?? []).map((p) => [p.userId, p.status])),
        );
    },
    [api, presence],
  );

  const chat = useMemo<Chat>(
    () => ({ api, me: session.user, presence, conversations, lookUpPresence }),
    [api, session.user, presence, conversations, lookUpPresence],
  );
  return (
    <ChatContext.Provider value={chat}>
      <UrqlProvider value={api.client}>{children}</UrqlProvider>
    </ChatContext.Provider>
  );
}
