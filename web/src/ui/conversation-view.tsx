/**
 * One open conversation: its header (name, presence, members), the message log and the
 * composer. Mounted afresh per conversation (keyed by id); on opening, focus moves into it.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useQuery } from 'urql';
import { errorCode, describeError } from '../api/errors';
import { ConversationDocument } from '../gql/graphql';
import { useChat } from '../state/chat';
import { usePresence } from '../state/presence';
import type { Message } from '../state/feed';
import { useFeed } from '../state/use-feed';
import { useMarkRead } from '../state/use-mark-read';
import { useReadReceipts } from '../state/use-read-receipts';
import { Composer } from './composer';
import { conversationName, othersIn } from './format';
import { MembersDialog } from './members-dialog';
import { MessageLog } from './message-log';
import { followLink } from './router';
import type { UserFieldsFragment } from '../gql/graphql';

/** On a phone the keyboard would cover half the screen: focus the heading there instead. */
const wideScreen = () => window.matchMedia('(min-width: 48rem)').matches;

export function ConversationView({ conversationId }: { conversationId: string }) {
  const { api, me, conversations } = useChat();
  const [{ data, error }, refetch] = useQuery({
    query: ConversationDocument,
    variables: { id: conversationId },
    // Shown at once when known, refreshed all the same: members may have changed meanwhile.
    requestPolicy: 'cache-and-network',
  });
  // A member or the title changed: the conversation again (members, roles, name).
  const onOtherChange = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  const feed = useFeed(conversationId, onOtherChange);
  // Read receipts sent while the socket was down are not replayed: the members' lastReadSeq again.
  useEffect(() => api.live.onReconnect(onOtherChange), [api, onOtherChange]);
  useMarkRead(conversationId, feed);
  const [membersOpen, setMembersOpen] = useState(false);
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const onReply = useCallback((message: Message) => {
    setReplyTo(message);
    composerRef.current?.focus();
  }, []);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const composerRef = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    (wideScreen() ? composerRef.current : headingRef.current)?.focus();
  }, []);

  const members = data?.conversation.members;
  const readUpTo = useReadReceipts(conversationId, members);

  // Until the conversation itself loads, the list's copy gives the name.
  const conversation =
    data?.conversation ?? conversations.items.find((c) => c.id === conversationId);
  if (error && errorCode(error) === 'NOT_FOUND') {
    return (
      <section className="conversation conversation--missing">
        <h2 ref={headingRef} tabIndex={-1}>
          Conversation not found
        </h2>
        <p>It does not exist, or you are not in it.</p>
        <a href="/" onClick={followLink}>
          Back to conversations
        </a>
      </section>
    );
  }
  const name = conversation ? conversationName(conversation, me.id) : '…';
  const others = conversation ? othersIn(conversation, me.id) : [];
  const myRole = members?.find((m) => m.user.id === me.id)?.role;

  return (
    <section className="conversation" aria-labelledby="conversation-title">
      <header className="conversation__head">
        <a href="/" onClick={followLink} className="back" aria-label="Back to conversations">
          ←
        </a>
        <div className="conversation__title">
          <h2 id="conversation-title" ref={headingRef} tabIndex={-1}>
            {name}
          </h2>
          {conversation && !conversation.isDirect && (
            <p className="muted">{conversation.participants.length} members</p>
          )}
          {conversation?.isDirect && others[0] && <DirectStatus user={others[0]} />}
        </div>
        {conversation && !conversation.isDirect && (
          <button type="button" aria-haspopup="dialog" onClick={() => setMembersOpen(true)}>
            Members
          </button>
        )}
      </header>
      {error && !data && (
        <p className="error" role="alert">
          {describeError(error)}
        </p>
      )}
      <MessageLog
        feed={feed}
        meId={me.id}
        moderator={myRole === 'OWNER' || myRole === 'ADMIN'}
        onReply={onReply}
        seenBy={(seq) =>
          (members ?? [])
            .filter((m) => m.user.id !== me.id && (readUpTo.get(m.user.id) ?? 0) >= seq)
            .map((m) => m.user.displayName)
        }
        isDirect={conversation?.isDirect ?? false}
      />
      <Composer
        name={name}
        onSend={feed.send}
        inputRef={composerRef}
        replyTo={replyTo}
        onCancelReply={() => setReplyTo(null)}
        members={
          conversation?.isDirect
            ? []
            : (members ?? []).map((m) => m.user).filter((u) => u.id !== me.id)
        }
      />
      {membersOpen && data && (
        <MembersDialog conversation={data.conversation} onClose={() => setMembersOpen(false)} />
      )}
    </section>
  );
}

function DirectStatus({ user }: { user: UserFieldsFragment }) {
  const { presence } = useChat();
  const online = usePresence(presence, user.id) === 'ONLINE';
  return (
    <p className="muted presence-line">
      <span className={online ? 'dot dot--online' : 'dot dot--offline'} aria-hidden="true" />
      {online ? 'Online' : 'Offline'}
    </p>
  );
}
