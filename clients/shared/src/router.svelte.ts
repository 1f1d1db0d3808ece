/**
 * Hash routing (`#/resident/<id>`): works from the service worker's app shell offline and needs no
 * server rewrites. Only opaque ids go into the URL, never tokens or health data.
 */
class Router {
  path: string = $state(current());
  constructor() {
    globalThis.addEventListener?.('hashchange', () => {
      this.path = current();
      // Move focus to the new screen's heading for screen readers.
      queueMicrotask(() => (globalThis.document?.querySelector('main h1') as HTMLElement | null)?.focus());
    });
  }
}

function current(): string {
  const hash = globalThis.location?.hash ?? '';
  return hash.startsWith('#/') ? hash.slice(1) : '/';
}

export const router = new Router();

export function navigate(path: string): void {
  globalThis.location.hash = `#${path}`;
}

/** `match('/resident/:id', '/resident/abc')` → `{ id: 'abc' }`; no match → null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/');
  const [pathname] = path.split('?');
  const s = pathname.split('/');
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) params[p[i].slice(1)] = decodeURIComponent(s[i]);
    else if (p[i] !== s[i]) return null;
  }
  return params;
}

export function queryParam(path: string, name: string): string | null {
  const q = path.split('?')[1];
  return q ? new URLSearchParams(q).get(name) : null;
}

/** The first of `routes` that matches `path`, with its `id` parameter ('' when none). */
export function currentRoute(routes: string[], path: string): { route: string; id: string } {
  for (const route of routes) {
    const params = match(route, path);
    if (params) return { route, id: params.id ?? '' };
  }
  return { route: '', id: '' };
}
