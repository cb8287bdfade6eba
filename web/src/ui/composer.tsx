/** Write and send: Enter sends, Shift+Enter is a new line; files attach to the message. */
import { PaperclipIcon } from './icons';
import { useRef, useState, type FormEvent, type KeyboardEvent, type RefObject } from 'react';
import type { Message } from '../state/feed';

const MAX_FILES = 10;

interface Props {
  name: string;
  onSend(text: string, files: File[], replyTo?: Message): void;
  inputRef: RefObject<HTMLTextAreaElement | null>;
  /** The message being answered, shown above the text until sent or cancelled. */
  replyTo: Message | null;
  onCancelReply(): void;
}

export function Composer({ name, onSend, inputRef, replyTo, onCancelReply }: Props) {
  const [text, setText] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const fileInput = useRef<HTMLInputElement>(null);
  const canSend = text.trim().length > 0 || files.length > 0;

  function submit(event?: FormEvent) {
    event?.preventDefault();
    if (!canSend) return;
    onSend(text.trim(), files, replyTo ?? undefined);
    setText('');
    setFiles([]);
    onCancelReply();
    inputRef.current?.focus();
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
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
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
        />
        <button type="submit" className="primary" disabled={!canSend}>
          Send
        </button>
      </div>
    </form>
  );
}
