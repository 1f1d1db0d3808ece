import { i18n, type Dictionary } from './i18n.svelte';
import { Live, wsUrl } from './live';
import { sharedMessages } from './messages';
import { Session } from './session.svelte';

export interface Runtime {
  session: Session;
  live: Live;
  persisted: boolean;
}

/**
 * One app's session and live connection. Production builds send persisted document ids, the
 * development server sends query text (and proxies /graphql to the API).
 */
export function createRuntime(app: string, roles: string[], messages: Dictionary): Runtime {
  i18n.add(sharedMessages);
  i18n.add(messages);
  if (globalThis.document) document.documentElement.lang = i18n.locale;
  const persisted = import.meta.env.PROD;
  const session = new Session({ app, roles, endpoint: '/graphql', persisted });
  const live = new Live(session, wsUrl(), persisted);
  globalThis.addEventListener('online', () => (session.status === 'offline' ? void session.refresh() : session.wake()));
  globalThis.document?.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') session.wake();
  });
  return { session, live, persisted };
}
