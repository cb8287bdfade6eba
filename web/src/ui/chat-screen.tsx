/**
 * The signed-in layout: the conversation list beside the open conversation; on a narrow screen
 * (a phone) one of the two at a time, the route deciding which.
 */
import { session } from '../api/session';
import { LogoutDocument } from '../gql/graphql';
import { useChat, useConnectionStatus } from '../state/chat';
import { ConversationList } from './conversation-list';
import { ConversationView } from './conversation-view';
import { useRoute } from './router';
import { useEffect } from 'react';

const STATUS_TEXT = { connecting: 'Connecting…', offline: 'Offline: reconnecting…', online: '' };

export function ChatScreen() {
  const route = useRoute();
  const { me, api } = useChat();
  // Ends the session on the server too (its tokens stop at once), then here whatever happened.
  const signOut = () =>
    void api.client
      .mutation(LogoutDocument, {})
      .toPromise()
      .finally(() => session.signOut());
  const status = useConnectionStatus();
  useUnreadTitle();
  const openId = route.name === 'conversation' ? route.id : null;

  return (
    <div className={openId ? 'chat chat--open' : 'chat'}>
      <header className="topbar">
        <h1 className="topbar__title">Chat</h1>
        <p className="topbar__status" role="status" data-connection={status}>
          {STATUS_TEXT[status]}
        </p>
        <p className="topbar__me">
          <span className="sr-only">Signed in as </span>
          {me.displayName}
        </p>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <aside className="sidebar">
        <ConversationList selectedId={openId} />
      </aside>
      <main className="pane">
        {openId ? (
          <ConversationView key={openId} conversationId={openId} />
        ) : (
          <div className="pane__empty">
            <p>Pick a conversation, or start a new one.</p>
          </div>
        )}
      </main>
    </div>
  );
}

/** The tab's title counts the unread messages of conversations not muted: "(3) Chat". */
function useUnreadTitle() {
  const { conversations } = useChat();
  const unread = conversations.items.reduce((n, c) => n + (c.muted ? 0 : c.unreadCount), 0);
  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) Chat` : 'Chat';
  }, [unread]);
}
