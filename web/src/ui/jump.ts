/**
 * A message asked to be shown (a search result opened): the conversation's log pages back to
 * it when needed, scrolls to it and focuses it, then clears the request.
 */
import { useSyncExternalStore } from 'react';

export interface JumpTarget {
  conversationId: string;
  messageId: string;
  seq: number;
}

let target: JumpTarget | null = null;
const listeners = new Set<() => void>();

export function requestJump(next: JumpTarget | null): void {
  target = next;
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useJumpTarget(conversationId: string): JumpTarget | null {
  const current = useSyncExternalStore(subscribe, () => target);
  return current?.conversationId === conversationId ? current : null;
}
