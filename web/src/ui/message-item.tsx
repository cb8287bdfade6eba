/**
 * One message: sender, reply quote, text (or "Message deleted"), time, attachments (images
 * inline), reactions, and its actions menu (react, reply, edit and delete where allowed); or
 * one of the user's own still being sent.
 */
import { useEffect, useRef, useState } from 'react';
import type { Message, PendingMessage, Quote } from '../state/feed';
import type { Outcome } from '../state/use-feed';
import { AttachmentView } from './attachment-view';
import { clockTime } from './format';
import { PaperclipIcon } from './icons';
import { mentionPieces } from './mentions';
import { ConfirmDelete, EditForm } from './message-edit';
import { MessageMenu, type MenuItem } from './message-menu';

/** The quick reactions offered in a message's menu (any single emoji is allowed by the API). */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🎉'];

export interface MessageActions {
  reply(message: Message): void;
  edit(messageId: string, text: string): Promise<Outcome>;
  remove(messageId: string): Promise<Outcome>;
  react(messageId: string, emoji: string, on: boolean): Promise<Outcome>;
  /** Scrolls to a loaded message and focuses it; false when it is not loaded. */
  jumpTo(messageId: string): boolean;
}

interface Props {
  message: Message;
  mine: boolean;
  meId: string;
  /** An owner or admin of the group may delete others' messages too. */
  moderator: boolean;
  showSender: boolean;
  actions: MessageActions;
  onMediaLoad(): void;
}

export function MessageItem({
  message,
  mine,
  meId,
  moderator,
  showSender,
  actions,
  onMediaLoad,
}: Props) {
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const deleted = message.deletedAt != null;
  const time = clockTime(message.createdAt);
  const item = useRef<HTMLLIElement>(null);
  const menuButton = useRef<HTMLButtonElement>(null);
  // Focus is not lost when the element holding it goes: after an edit it returns to the menu
  // button, after a deletion to the message (its tombstone has no menu); unless the user has
  // moved it elsewhere meanwhile (both finish after a round trip).
  const focusLost = () =>
    document.activeElement === document.body || item.current?.contains(document.activeElement);
  const wasEditing = useRef(false);
  useEffect(() => {
    if (wasEditing.current && !editing && focusLost()) menuButton.current?.focus();
    wasEditing.current = editing;
  }, [editing]);

  const report = (outcome: Outcome) => setError(outcome.ok ? null : outcome.error);
  const toggle = (emoji: string) => {
    const on = !message.reactions.some((r) => r.emoji === emoji && r.reactedByMe);
    void actions.react(message.id, emoji, on).then(report);
  };

  const items: MenuItem[] = deleted
    ? []
    : [
        ...QUICK_REACTIONS.map((emoji) => ({
          label: `React with ${emoji}`,
          face: emoji,
          pressed: message.reactions.some((r) => r.emoji === emoji && r.reactedByMe),
          run: () => toggle(emoji),
        })),
        { label: 'Reply', run: () => actions.reply(message) },
        ...(mine ? [{ label: 'Edit', run: () => setEditing(true) }] : []),
        ...(mine || moderator
          ? [{ label: 'Delete', danger: true, run: () => setConfirming(true) }]
          : []),
      ];

  return (
    <li
      ref={item}
      className={['msg', mine ? 'msg--mine' : '', deleted ? 'msg--deleted' : ''].join(' ')}
      data-seq={message.seq}
      data-message-id={message.id}
      data-event-seq={message.eventSeq}
      tabIndex={-1}
    >
      {showSender && !mine && <p className="msg__sender">{message.sender.displayName}</p>}
      <div className="msg__row">
        <div className="msg__bubble">
          {message.replyTo && !deleted && (
            <QuoteView quote={message.replyTo} onJump={actions.jumpTo} />
          )}
          {!deleted &&
            message.attachments.map((a) => (
              <AttachmentView key={a.id} attachment={a} onLoad={onMediaLoad} />
            ))}
          {deleted ? (
            <p className="msg__tombstone">Message deleted</p>
          ) : editing ? (
            <EditForm
              text={message.text}
              onCancel={() => setEditing(false)}
              onSave={async (text) => {
                const outcome = await actions.edit(message.id, text);
                report(outcome);
                if (outcome.ok) setEditing(false);
              }}
            />
          ) : (
            message.text && (
              <p className="msg__text">
                <MessageText text={message.text} mentions={message.mentions} meId={meId} />
              </p>
            )
          )}
          <p className="msg__time">
            <time dateTime={message.createdAt}>
              {mine && <span className="sr-only">You, </span>}
              {time}
            </time>
            {message.editedAt && !deleted && <span className="msg__edited"> · edited</span>}
          </p>
        </div>
        {items.length > 0 && !editing && (
          <MessageMenu
            buttonRef={menuButton}
            items={items}
            label={`Actions for ${mine ? 'your' : `${message.sender.displayName}’s`} message at ${time}`}
          />
        )}
      </div>
      {message.reactions.length > 0 && !deleted && (
        <ul className="reactions" aria-label="Reactions">
          {message.reactions.map((r) => (
            <li key={r.emoji}>
              <button
                type="button"
                className="reaction"
                aria-pressed={r.reactedByMe}
                aria-label={`${r.emoji} ${r.count}${r.reactedByMe ? ', you reacted' : ''}`}
                title={r.reactedByMe ? 'You reacted: click to undo' : `React with ${r.emoji}`}
                onClick={() => toggle(r.emoji)}
              >
                {r.emoji} <span className="reaction__count">{r.count}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p className="error msg__error" role="alert">
          {error}
        </p>
      )}
      {confirming && (
        <ConfirmDelete
          onClose={() => setConfirming(false)}
          onConfirm={async () => {
            const outcome = await actions.remove(message.id);
            report(outcome);
            if (outcome.ok && focusLost()) item.current?.focus();
          }}
        />
      )}
    </li>
  );
}

/** The text, its mentions marked (the user's own more strongly). */
function MessageText({
  text,
  mentions,
  meId,
}: {
  text: string;
  mentions: Message['mentions'];
  meId: string;
}) {
  return mentionPieces(text, mentions).map((piece, i) =>
    piece.userId ? (
      <span key={i} className={piece.userId === meId ? 'mention mention--me' : 'mention'}>
        {piece.text}
      </span>
    ) : (
      piece.text
    ),
  );
}

function QuoteView({ quote, onJump }: { quote: Quote; onJump(id: string): boolean }) {
  const text = quote.deletedAt ? 'Message deleted' : quote.text || 'a file';
  return (
    <button
      type="button"
      className="msg__quote"
      aria-label={`Reply to ${quote.sender.displayName}: ${text}. Show the message`}
      onClick={() => onJump(quote.id)}
    >
      <span className="msg__quote-sender">{quote.sender.displayName}</span>
      <span className="msg__quote-text">{text}</span>
    </button>
  );
}

export function PendingItem({
  pending,
  onRetry,
}: {
  pending: PendingMessage;
  onRetry(clientMessageId: string): void;
}) {
  const failed = pending.status === 'failed';
  return (
    <li className={`msg msg--mine msg--${pending.status}`} aria-busy={!failed}>
      <div className="msg__bubble">
        {pending.replyTo && (
          <p className="msg__quote">
            <span className="msg__quote-sender">{pending.replyTo.sender.displayName}</span>
            <span className="msg__quote-text">{pending.replyTo.text}</span>
          </p>
        )}
        {pending.fileNames.map((name) => (
          <p key={name} className="msg__file">
            <PaperclipIcon /> {name}
          </p>
        ))}
        {pending.text && <p className="msg__text">{pending.text}</p>}
        {failed ? (
          <p className="msg__failure" role="alert">
            Not sent: {pending.error}{' '}
            <button type="button" className="link" onClick={() => onRetry(pending.clientMessageId)}>
              Retry
            </button>
          </p>
        ) : (
          <p className="msg__time">Sending…</p>
        )}
      </div>
    </li>
  );
}
