/**
 * Write and send: Enter sends, Shift+Enter is a new line; files attach to the message; "@" in a
 * group offers its members to mention (arrows choose, Enter or Tab picks, Escape closes).
 */
import { PaperclipIcon } from './icons';
import { useId, useRef, useState, type FormEvent, type KeyboardEvent, type RefObject } from 'react';
import type { UserFieldsFragment } from '../gql/graphql';
import type { Message } from '../state/feed';
import { insertMention, mentionAt, mentionedIn, suggestions } from './mentions';

const MAX_FILES = 10;

interface Props {
  name: string;
  onSend(text: string, files: File[], replyTo?: Message, mentionedUserIds?: string[]): void;
  inputRef: RefObject<HTMLTextAreaElement | null>;
  /** The message being answered, shown above the text until sent or cancelled. */
  replyTo: Message | null;
  onCancelReply(): void;
  /** Who may be mentioned (a group's other members); none in a direct conversation. */
  members: UserFieldsFragment[];
}

export function Composer({ name, onSend, inputRef, replyTo, onCancelReply, members }: Props) {
  const [text, setText] = useState('');
  const [caret, setCaret] = useState(0);
  const [files, setFiles] = useState<File[]>([]);
  const [picked, setPicked] = useState<UserFieldsFragment[]>([]);
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState<number | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const listId = useId();
  const canSend = text.trim().length > 0 || files.length > 0;
  const typing = members.length > 0 ? mentionAt(text, caret) : null;
  const offered = typing && typing.start !== dismissed ? suggestions(members, typing.query) : [];
  const chosen = offered[Math.min(active, offered.length - 1)];

  function pick(user: UserFieldsFragment) {
    if (!typing) return;
    const next = insertMention(text, typing.start, caret, user.displayName);
    setText(next.text);
    setCaret(next.caret);
    setPicked((list) => (list.some((u) => u.id === user.id) ? list : [...list, user]));
    setActive(0);
    requestAnimationFrame(() => inputRef.current?.setSelectionRange(next.caret, next.caret));
  }

  function submit(event?: FormEvent) {
    event?.preventDefault();
    if (!canSend) return;
    const mentioned = mentionedIn(text, picked).map((u) => u.id);
    onSend(text.trim(), files, replyTo ?? undefined, mentioned.length > 0 ? mentioned : undefined);
    setText('');
    setPicked([]);
    setFiles([]);
    onCancelReply();
    inputRef.current?.focus();
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (offered.length > 0 && !event.nativeEvent.isComposing) {
      const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1 };
      if (event.key in moves) {
        event.preventDefault();
        setActive((i) => (i + moves[event.key] + offered.length) % offered.length);
        return;
      }
      if (event.key === 'Enter' || event.key === 'Tab') {
        event.preventDefault();
        pick(chosen);
        return;
      }
      if (event.key === 'Escape') {
        event.preventDefault();
        setDismissed(typing!.start);
        return;
      }
    }
    if (event.key === 'Escape' && replyTo) {
      event.preventDefault();
      onCancelReply();
    } else if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  }

  return (
    <form className="composer" onSubmit={submit}>
      {replyTo && (
        <div className="composer__reply" role="group" aria-label="Replying">
          <p>
            <span className="muted">Replying to </span>
            <strong>{replyTo.sender.displayName}</strong>
            <span className="composer__reply-text">{replyTo.text || 'a file'}</span>
          </p>
          <button
            type="button"
            className="chip__remove"
            aria-label="Cancel reply"
            onClick={() => {
              onCancelReply();
              inputRef.current?.focus();
            }}
          >
            ×
          </button>
        </div>
      )}
      {files.length > 0 && (
        <ul className="chips" aria-label="Attached files">
          {files.map((file, i) => (
            <li key={`${file.name}-${i}`} className="chip">
              <PaperclipIcon /> {file.name}
              <button
                type="button"
                className="chip__remove"
                aria-label={`Remove ${file.name}`}
                onClick={() => setFiles((list) => list.filter((_, j) => j !== i))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {offered.length > 0 && (
        <ul className="mention-list" id={listId} role="listbox" aria-label="Mention someone">
          {offered.map((user) => (
            <li
              key={user.id}
              id={`${listId}-${user.id}`}
              role="option"
              aria-selected={user === chosen}
              className="mention-option"
              // Keeps the focus in the text while a click picks.
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => pick(user)}
            >
              {user.displayName} <span className="muted">@{user.username}</span>
            </li>
          ))}
        </ul>
      )}
      <div className="composer__row">
        <input
          ref={fileInput}
          type="file"
          multiple
          hidden
          aria-label="Attach files"
          onChange={(e) => {
            const chosen = Array.from(e.target.files ?? []);
            setFiles((list) => [...list, ...chosen].slice(0, MAX_FILES));
            e.target.value = '';
          }}
        />
        <button
          type="button"
          className="icon"
          aria-label="Attach files"
          title="Attach files"
          onClick={() => fileInput.current?.click()}
        >
          <PaperclipIcon />
        </button>
        <label className="sr-only" htmlFor="composer-text">
          Message {name}
        </label>
        <textarea
          id="composer-text"
          ref={inputRef}
          rows={1}
          maxLength={4000}
          placeholder={`Message ${name}`}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setCaret(e.target.selectionStart);
            setActive(0);
          }}
          onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
          onKeyDown={onKeyDown}
          aria-autocomplete={members.length > 0 ? 'list' : undefined}
          aria-controls={offered.length > 0 ? listId : undefined}
          aria-expanded={members.length > 0 ? offered.length > 0 : undefined}
          aria-activedescendant={chosen ? `${listId}-${chosen.id}` : undefined}
        />
        <button type="submit" className="primary" disabled={!canSend}>
          Send
        </button>
      </div>
    </form>
  );
}
