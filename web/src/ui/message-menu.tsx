/**
 * A message's actions as a menu button (WAI-ARIA menu pattern): the button opens it and focus
 * moves to the first item; arrows move between items, Escape closes it and focus returns to
 * the button; a click elsewhere or Tab closes it.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent, type RefObject } from 'react';

export interface MenuItem {
  label: string;
  /** Shown instead of the label (an emoji), the label staying the accessible name. */
  face?: string;
  pressed?: boolean;
  danger?: boolean;
  run(): void;
}

interface Props {
  items: MenuItem[];
  label: string;
  /** The menu button, for the message to give focus back to (after an edit). */
  buttonRef: RefObject<HTMLButtonElement | null>;
}

export function MessageMenu({ items, label, buttonRef: button }: Props) {
  const [open, setOpen] = useState(false);
  const menuId = useId();
  const menu = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    menu.current?.querySelector<HTMLElement>('[role^=menuitem]')?.focus();
    const outside = (event: MouseEvent) => {
      const target = event.target as Node;
      if (!menu.current?.contains(target) && !button.current?.contains(target)) setOpen(false);
    };
    document.addEventListener('mousedown', outside);
    return () => document.removeEventListener('mousedown', outside);
  }, [open, button]);

  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  };

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const all = [...(menu.current?.querySelectorAll<HTMLElement>('[role^=menuitem]') ?? [])];
    const at = all.indexOf(document.activeElement as HTMLElement);
    const move = (to: number) => all[(to + all.length) % all.length]?.focus();
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      close(true);
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowRight') {
      event.preventDefault();
      move(at + 1);
    } else if (event.key === 'ArrowUp' || event.key === 'ArrowLeft') {
      event.preventDefault();
      move(at - 1);
    } else if (event.key === 'Home') {
      event.preventDefault();
      move(0);
    } else if (event.key === 'End') {
      event.preventDefault();
      move(-1);
    } else if (event.key === 'Tab') {
      setOpen(false);
    }
  }

  return (
    <div className="msg-menu">
      <button
        ref={button}
        type="button"
        className="icon msg-menu__button"
        aria-label={label}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={() => setOpen((o) => !o)}
      >
        ⋯
      </button>
      {open && (
        <div
          ref={menu}
          id={menuId}
          role="menu"
          aria-label={label}
          className="msg-menu__list"
          onKeyDown={onKeyDown}
        >
          {items.map((item) => (
            <button
              key={item.label}
              type="button"
              role={item.pressed === undefined ? 'menuitem' : 'menuitemcheckbox'}
              aria-checked={item.pressed}
              aria-label={item.face ? item.label : undefined}
              title={item.face ? item.label : undefined}
              tabIndex={-1}
              className={[
                'msg-menu__item',
                item.face ? 'msg-menu__item--emoji' : '',
                item.danger ? 'danger' : '',
              ].join(' ')}
              onClick={() => {
                close(true);
                item.run();
              }}
            >
              {item.face ?? item.label}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
