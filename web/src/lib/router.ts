/** A small history router: the path is a store; links and navigate() push, back/forward restore. */
import { type Store, store, useStore } from './store';

export const path: Store<string> = store(location.pathname);
addEventListener('popstate', () => path.set(location.pathname));

export function navigate(to: string, replace = false): void {
  if (to === location.pathname + location.search + location.hash) return;
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  path.set(location.pathname);
  scrollTo(0, 0);
}

export function usePath(): string {
  return useStore(path);
}

/** Click handler for <a href>: same-tab navigation without a reload, modified clicks left alone. */
export function linkClick(e: MouseEvent): void {
  const a = (e.currentTarget as HTMLAnchorElement | null) ?? undefined;
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  if (a.origin !== location.origin || a.hasAttribute('download')) return;
  e.preventDefault();
  navigate(a.pathname + a.search + a.hash);
}
