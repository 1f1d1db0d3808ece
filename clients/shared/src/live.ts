/**
 * Subscriptions over `graphql-transport-ws` at /graphql/ws. The access token goes in the
 * connection_init payload (never the URL); the client reconnects forever with back-off, and every
 * subscriber's `onResync` runs after a reconnect (events may have been missed) — the same callback
 * that handles the server's RESYNC events — so screens refetch instead of trusting a gap.
 *
 * The server closes a socket when its access token expires (4401) or its session ends (4403).
 * The next connection then starts with a renewed token (a refresh; a refused one signs out, which
 * closes this client), and after 4401 subscriptions restart at once: the user notices nothing.
 */
import { createClient, type Client } from 'graphql-ws';
import { documentId, type Doc } from './graphql-client';
import type { Session } from './session.svelte';

/** Close codes of the server (README, "Sessions"). */
export const CLOSE_TOKEN_EXPIRED = 4401;
export const CLOSE_SESSION_ENDED = 4403;

function closeCode(event: unknown): number | undefined {
  return typeof event === 'object' && event !== null && 'code' in event ? Number(event.code) : undefined;
}

export interface LiveHandlers<R> {
  onData: (data: R) => void;
  /** Refetch: after a reconnect, and when the caller sees a RESYNC event. */
  onResync: () => void;
}

export class Live {
  #client: Client | null = null;
  #resyncs = new Set<() => void>();
  #connectedOnce = false;
  /** The token of the last connection, and whether the server refused it since. */
  #usedToken: string | null = null;
  #tokenRefused = false;
  readonly session: Session;
  readonly url: string;
  readonly persisted: boolean;
  readonly webSocketImpl: unknown;

  /** `webSocketImpl` is for tests (the browser's WebSocket otherwise). */
  constructor(session: Session, url: string, persisted: boolean, webSocketImpl?: unknown) {
    this.session = session;
    this.url = url;
    this.persisted = persisted;
    this.webSocketImpl = webSocketImpl;
    session.onChange((status) => {
      if (status === 'anonymous') this.close();
    });
  }

  #ensure(): Client {
    if (this.#client) return this.#client;
    this.#connectedOnce = false;
    this.#client = createClient({
      url: this.url,
      webSocketImpl: this.webSocketImpl,
      lazy: true,
      retryAttempts: Infinity,
      shouldRetry: () => true,
      retryWait: async (retries) => {
        const ms = Math.min(30_000, 1000 * 2 ** Math.min(retries, 5)) * (0.5 + Math.random() / 2);
        await new Promise((r) => setTimeout(r, ms));
      },
      connectionParams: async () => {
        let token = await this.session.token();
        // The server said this very token expired or its session ended: get a new one.
        if (this.#tokenRefused && token === this.#usedToken) token = await this.session.renew();
        this.#tokenRefused = false;
        this.#usedToken = token;
        return { token: token ?? '' };
      },
      on: {
        connected: () => {
          if (this.#connectedOnce) for (const fn of this.#resyncs) fn();
          this.#connectedOnce = true;
        },
        closed: (event) => {
          const code = closeCode(event);
          if (code === CLOSE_TOKEN_EXPIRED || code === CLOSE_SESSION_ENDED) this.#tokenRefused = true;
        },
      },
    });
    return this.#client;
  }

  subscribe<R, V>(doc: Doc<R, V>, variables: V, handlers: LiveHandlers<R>): () => void {
    const client = this.#ensure();
    this.#resyncs.add(handlers.onResync);
    const id = documentId(doc as Doc<unknown, unknown>);
    const payload =
      this.persisted && id
        ? { query: '', variables: variables as Record<string, unknown>, extensions: { documentId: id } }
        : { query: doc.toString(), variables: variables as Record<string, unknown> };
    let dispose: () => void = () => {};
    let stopped = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const start = (again: boolean) => {
      if (stopped) return;
      if (again) handlers.onResync();
      dispose = client.subscribe<R>(payload, {
        next: (result) => {
          if (result.data) handlers.onData(result.data as R);
        },
        // The server ended this subscription (e.g. with an error): start it again a little later;
        // at once when only the token expired (graphql-ws does not retry 4401 by itself).
        error: (error) => {
          retry = setTimeout(() => start(true), closeCode(error) === CLOSE_TOKEN_EXPIRED ? 0 : 5_000);
        },
        complete: () => {},
      });
    };
    start(false);
    return () => {
      stopped = true;
      clearTimeout(retry);
      this.#resyncs.delete(handlers.onResync);
      dispose();
    };
  }

  close(): void {
    void this.#client?.dispose();
    this.#client = null;
  }
}

export function wsUrl(path = '/graphql/ws'): string {
  const { protocol, host } = globalThis.location;
  return `${protocol === 'https:' ? 'wss:' : 'ws:'}//${host}${path}`;
}
