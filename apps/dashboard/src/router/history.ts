import { useSyncExternalStore } from 'react';
import { parseRoute, type Route } from './routes.js';

/** Fired on `window` when the dashboard itself changes the URL (history fires popstate only for back/forward). */
const NAVIGATE_EVENT = 'locus:navigate';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATE_EVENT, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATE_EVENT, onChange);
  };
}

const currentHref = (): string => `${window.location.pathname}${window.location.search}`;

/** Goes to a dashboard URL without reloading the page; `replace` keeps the history entry (e.g. while typing a filter). */
export function navigate(href: string, options: { readonly replace?: boolean } = {}): void {
  if (href === currentHref()) return;
  if (options.replace) window.history.replaceState(null, '', href);
  else window.history.pushState(null, '', href);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
  if (!options.replace) window.scrollTo?.(0, 0);
}

/** The current route, re-rendering on navigation and on back/forward. */
export function useRoute(): Route {
  const href = useSyncExternalStore(subscribe, currentHref);
  const url = new URL(href, 'http://dashboard.invalid');
  return parseRoute(url.pathname, url.search);
}
