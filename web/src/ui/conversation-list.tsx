/** The user's conversations, newest activity first, each a link to open it. */
import { useState } from 'react';
import { useChat } from '../state/chat';
import { conversationName, messagePreview, othersIn, shortTime } from './format';
import { NewConversationDialog } from './new-conversation-dialog';
import { PresenceDots } from './presence-dot';
import { conversationPath, followLink } from './router';

export function ConversationList({ selectedId }: { selectedId: string | null }) {
  const { conversations, me } = useChat();
  const [creating, setCreating] = useState(false);

  return (
    <nav className="conversations" aria-labelledby="conversations-title">
      <div className="conversations__head">
        <h2 id="conversations-title">Conversations</h2>
        <button type="button" className="primary" onClick={() => setCreating(true)}>
          New conversation
        </button>
      </div>
      {conversations.status === 'loading' && <p className="muted">Loading…</p>}
      {conversations.status === 'error' && (
        <p className="error" role="alert">
          {conversations.error}{' '}
          <button type="button" className="link" onClick={() => void conversations.refresh()}>
            Try again
          </button>
        </p>
      )}
      {conversations.status === 'ready' && conversations.items.length === 0 && (
        <p className="muted">No conversations yet: start one with “New conversation”.</p>
      )}
      <ul className="conversations__list">
        {conversations.items.map((c) => {
          const name = conversationName(c, me.id);
          return (
            <li key={c.id}>
              <a
                href={conversationPath(c.id)}
                onClick={followLink}
                className="conversation-link"
                aria-current={c.id === selectedId ? 'page' : undefined}
                data-conversation={c.id}
              >
                <PresenceDots users={othersIn(c, me.id)} />
                <span className="conversation-link__name">{name}</span>
                {c.lastMessageAt && (
                  <time className="conversation-link__time" dateTime={c.lastMessageAt}>
                    {shortTime(c.lastMessageAt)}
                  </time>
                )}
                <span className="conversation-link__preview">
                  {messagePreview(c.lastMessage, me.id)}
                </span>
              </a>
            </li>
          );
        })}
      </ul>
      {creating && <NewConversationDialog onClose={() => setCreating(false)} />}
    </nav>
  );
}
