/** The user's conversations, newest activity first, each a link to open it. */
import { useState } from 'react';
import { useChat } from '../state/chat';
import { conversationName, messagePreview, othersIn, shortTime } from './format';
import { MessageSearch } from './message-search';
import { useDebounced } from './use-debounced';
import { NewConversationDialog } from './new-conversation-dialog';
import { PresenceDots } from './presence-dot';
import { conversationPath, followLink } from './router';

export function ConversationList({ selectedId }: { selectedId: string | null }) {
  const [creating, setCreating] = useState(false);
  const [search, setSearch] = useState('');
  const query = useDebounced(search.trim(), 250);
  const searching = search.trim().length > 0 && query.length > 0;

  return (
    <nav className="conversations" aria-labelledby="conversations-title">
      <div className="conversations__head">
        <h2 id="conversations-title">Conversations</h2>
        <button type="button" className="primary" onClick={() => setCreating(true)}>
          New conversation
        </button>
      </div>
      <form role="search" className="search" onSubmit={(e) => e.preventDefault()}>
        <input
          type="search"
          aria-label="Search messages"
          placeholder="Search messages"
          maxLength={200}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') setSearch('');
          }}
        />
      </form>
      {searching ? (
        <MessageSearch query={query} onOpen={() => setSearch('')} />
      ) : (
        <ConversationItems selectedId={selectedId} />
      )}
      {creating && <NewConversationDialog onClose={() => setCreating(false)} />}
    </nav>
  );
}

function ConversationItems({ selectedId }: { selectedId: string | null }) {
  const { conversations, me } = useChat();
  return (
    <>
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
                <UnreadBadge
                  count={c.unreadCount}
                  mentions={c.unreadMentionCount}
                  muted={c.muted}
                />
              </a>
            </li>
          );
        })}
      </ul>
    </>
  );
}

/**
 * How many messages are unread (an @ when some mention the user), written out for readers;
 * grey for a muted conversation (which the tab's title does not count).
 */
function UnreadBadge({
  count,
  mentions,
  muted,
}: {
  count: number;
  mentions: number;
  muted: boolean;
}) {
  if (count === 0) return null;
  const text = `${count} unread${mentions > 0 ? `, ${mentions} mentioning you` : ''}${muted ? ' (muted)' : ''}`;
  return (
    <span className={muted ? 'badge badge--muted' : 'badge'} data-unread={count} title={text}>
      <span aria-hidden="true">
        {mentions > 0 && '@ '}
        {count > 99 ? '99+' : count}
      </span>
      <span className="sr-only">{text}</span>
    </span>
  );
}
