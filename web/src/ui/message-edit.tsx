/** Editing a message in place, and confirming a deletion. */
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { Dialog, closeDialog } from './dialog';

export function EditForm({
  text: initial,
  onSave,
  onCancel,
}: {
  text: string;
  onSave(text: string): Promise<void>;
  onCancel(): void;
}) {
  const [text, setText] = useState(initial);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    const el = input.current;
    el?.focus();
    el?.setSelectionRange(el.value.length, el.value.length);
  }, []);

  async function submit(event?: FormEvent) {
    event?.preventDefault();
    if (busy) return;
    if (text.trim() === initial) return onCancel();
    setBusy(true);
    await onSave(text.trim());
    setBusy(false);
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Escape') {
      event.preventDefault();
      onCancel();
    } else if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void submit();
    }
  }

  return (
    <form className="msg__edit" onSubmit={(e) => void submit(e)}>
      <textarea
        ref={input}
        aria-label="Edit message"
        maxLength={4000}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
      />
      <div className="actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={busy}>
          Save
        </button>
      </div>
    </form>
  );
}

export function ConfirmDelete({
  onClose,
  onConfirm,
}: {
  onClose(): void;
  onConfirm(): Promise<void>;
}) {
  return (
    <Dialog title="Delete message?" onClose={onClose}>
      <p>It is removed for everyone; “Message deleted” stays in its place.</p>
      <div className="actions">
        <button type="button" autoFocus onClick={(e) => closeDialog(e.currentTarget)}>
          Cancel
        </button>
        <button
          type="button"
          className="danger"
          onClick={(e) => {
            closeDialog(e.currentTarget);
            void onConfirm();
          }}
        >
          Delete
        </button>
      </div>
    </Dialog>
  );
}
