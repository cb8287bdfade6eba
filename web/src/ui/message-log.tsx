/**
 * The messages, oldest at the top. Scrolling up to the top loads older pages (a button does it
 * too, for keyboards) without moving what is on screen; new messages keep the view at the
 * bottom when it was there, and the user's own sends always bring it down.
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef } from 'react';
import type { Feed } from '../state/use-feed';
import type { Message } from '../state/feed';
import { requestJump, useJumpTarget } from './jump';
import { MessageItem, PendingItem, type MessageActions } from './message-item';

const NEAR_BOTTOM_PX = 48;
const MAX_PAGES_BACK = 20;

interface Props {
  feed: Feed;
  meId: string;
  /** An owner or admin of the group: may delete others' messages. */
  moderator: boolean;
  onReply(message: Message): void;
  /** Who (other than the user) has read up to a seq: read receipts. */
  seenBy(seq: number): string[];
  isDirect: boolean;
}

export function MessageLog({ feed, meId, moderator, onReply, seenBy, isDirect }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const loadButton = useRef<HTMLButtonElement>(null);
  // What the layout was after the last render or scroll, to keep the view steady.
  const seen = useRef({ height: 0, top: 0, atBottom: true, firstId: '', pending: 0 });
  const { messages, pending, hasOlder, loadingOlder, loadOlder } = feed;

  const remember = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    seen.current.height = el.scrollHeight;
    seen.current.top = el.scrollTop;
    seen.current.atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM_PX;
  }, []);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const before = seen.current;
    const firstId = messages[0]?.id ?? '';
    const prepended = before.firstId !== '' && firstId !== before.firstId;
    const sentOne = pending.length > before.pending;
    if (prepended && !sentOne) el.scrollTop = before.top + (el.scrollHeight - before.height);
    else if (before.atBottom || sentOne) el.scrollTop = el.scrollHeight;
    before.firstId = firstId;
    before.pending = pending.length;
    remember();
  }, [messages, pending, remember]);

  // An image that finishes loading grows the log: stay at the bottom if the view was there.
  const onMediaLoad = useCallback(() => {
    const el = scroller.current;
    if (el && seen.current.atBottom) el.scrollTop = el.scrollHeight;
    remember();
  }, [remember]);

  const { edit, remove, react } = feed;
  const lastIsMine = messages.at(-1)?.sender.id === meId && pending.length === 0;
  const actions = useMemo<MessageActions>(
    () => ({
      reply: onReply,
      edit,
      remove,
      react,
      jumpTo(messageId) {
        const item = scroller.current?.querySelector<HTMLElement>(
          `[data-message-id="${CSS.escape(messageId)}"]`,
        );
        if (!item) return false;
        item.scrollIntoView({ block: 'center', behavior: 'smooth' });
        item.focus({ preventScroll: true });
        item.classList.remove('msg--flash');
        void item.offsetWidth; // restarts the highlight's animation
        item.classList.add('msg--flash');
        return true;
      },
    }),
    [onReply, edit, remove, react],
  );

  // A search result opened here: page back to its message if needed (a bounded number of
  // pages), then show it.
  const jump = useJumpTarget(feed.conversationId);
  const pagesBack = useRef(0);
  useEffect(() => {
    if (!jump || feed.status !== 'ready') return;
    if (actions.jumpTo(jump.messageId)) return requestJump(null);
    const oldest = messages[0]?.seq ?? 0;
    if (hasOlder && oldest > jump.seq && pagesBack.current < MAX_PAGES_BACK) {
      if (!loadingOlder) {
        pagesBack.current++;
        loadOlder();
      }
      return;
    }
    requestJump(null); // not reachable (deleted since, or too far back)
  }, [jump, feed.status, messages, hasOlder, loadingOlder, loadOlder, actions]);

  useEffect(() => {
    const el = scroller.current;
    const button = loadButton.current;
    if (!el || !button || !hasOlder || loadingOlder) return;
    // Made again after each page: a page too short to fill the view asks for the next at once.
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) loadOlder();
      },
      { root: el, rootMargin: '200px 0px 0px 0px' },
    );
    observer.observe(button);
    return () => observer.disconnect();
  }, [hasOlder, loadingOlder, loadOlder, messages.length]);

  return (
    <div
      className="log"
      ref={scroller}
      onScroll={remember}
      role="log"
      aria-label="Messages"
      aria-busy={feed.status === 'loading' || loadingOlder}
      tabIndex={0}
    >
      {hasOlder && (
        <button
          type="button"
          ref={loadButton}
          className="log__older link"
          onClick={loadOlder}
          disabled={loadingOlder}
        >
          {loadingOlder ? 'Loading older messages…' : 'Load older messages'}
        </button>
      )}
      {feed.status === 'ready' && !hasOlder && messages.length > 0 && (
        <p className="log__start muted">This is the start of the conversation.</p>
      )}
      {feed.status === 'error' && (
        <p className="error" role="alert">
          {feed.error}
        </p>
      )}
      {feed.status === 'ready' && messages.length === 0 && pending.length === 0 && (
        <p className="log__start muted">No messages yet. Say hello!</p>
      )}
      <ol className="log__list">
        {messages.map((message, i) => (
          <MessageItem
            key={message.id}
            message={message}
            mine={message.sender.id === meId}
            meId={meId}
            moderator={moderator}
            showSender={i === 0 || messages[i - 1].sender.id !== message.sender.id}
            actions={actions}
            onMediaLoad={onMediaLoad}
          />
        ))}
        {lastIsMine && <SeenLine readers={seenBy(messages.at(-1)!.seq)} isDirect={isDirect} />}
        {pending.map((p) => (
          <PendingItem key={p.clientMessageId} pending={p} onRetry={feed.retry} />
        ))}
      </ol>
    </div>
  );
}

/** Under the user's newest message: who has read it ("Seen" in a direct conversation). */
function SeenLine({ readers, isDirect }: { readers: string[]; isDirect: boolean }) {
  if (readers.length === 0) return null;
  return (
    <li className="msg__seen muted" aria-label={`Seen by ${readers.join(', ')}`}>
      {isDirect
        ? 'Seen'
        : `Seen by ${readers.length <= 3 ? readers.join(', ') : `${readers.length} people`}`}
    </li>
  );
}
