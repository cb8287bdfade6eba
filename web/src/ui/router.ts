/**
 * Two routes, in the address bar so a conversation can be reloaded or linked: `/` (the list)
 * and `/c/<id>` (a conversation). The server answers both with the app page.
 */
import { useSyncExternalStore, type MouseEvent } from 'react';

export type Route = { name: 'home' } | { name: 'conversation'; id: string };

const NAVIGATE = 'chat:navigate';

function parse(path: string): Route {
  const match = /^\/c\/([^/]+)\/?$/.exec(path);
  return match ? { name: 'conversation', id: decodeURIComponent(match[1]) } : { name: 'home' };
}

let route = parse(location.pathname);
let routePath = location.pathname;

function current(): Route {
  if (location.pathname !== routePath) {
    routePath = location.pathname;
    route = parse(routePath);
  }
  return route;
}

function subscribe(listener: () => void): () => void {
  window.addEventListener('popstate', listener);
  window.addEventListener(NAVIGATE, listener);
  return () => {
    window.removeEventListener('popstate', listener);
    window.removeEventListener(NAVIGATE, listener);
  };
}

export function useRoute(): Route {
  return useSyncExternalStore(subscribe, current);
}

export function conversationPath(id: string): string {
  return `/c/${encodeURIComponent(id)}`;
}

export function navigate(path: string, { replace = false } = {}): void {
  if (path === location.pathname) return;
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  window.dispatchEvent(new Event(NAVIGATE));
}

/** onClick for in-app links: plain clicks navigate here; modified ones open tabs as usual. */
export function followLink(event: MouseEvent<HTMLAnchorElement>): void {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey)
    return;
  event.preventDefault();
  navigate(event.currentTarget.pathname);
}
