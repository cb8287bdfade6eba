/**
 * A modal on the native <dialog>: the browser traps focus inside, closes it on Escape and puts
 * focus back where it was when it closes. Content closes it with `closeDialog(anyElementInside)`,
 * which goes through dialog.close() (and so through that focus return) before `onClose`.
 */
import { useEffect, useRef, type ReactNode } from 'react';

export function closeDialog(inside: Element | null): void {
  inside?.closest('dialog')?.close();
}

export function Dialog({
  title,
  onClose,
  children,
}: {
  title: string;
  onClose(): void;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  return (
    <dialog ref={ref} className="dialog" aria-labelledby="dialog-title" onClose={onClose}>
      <div className="dialog__head">
        <h2 id="dialog-title">{title}</h2>
        <button
          type="button"
          className="icon"
          aria-label="Close"
          onClick={(e) => closeDialog(e.currentTarget)}
        >
          ×
        </button>
      </div>
      {children}
    </dialog>
  );
}
