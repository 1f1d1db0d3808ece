/**
 * The offline outbox (IndexedDB). A write the nurse saves is put here first, with a
 * `clientMutationId` made on the device at that moment, and then sent; without network it stays
 * (across reloads) and is sent when the network or the session returns. The same id goes with
 * every retry, and the server is idempotent by it, so a write lands exactly once. Conflicts and
 * validation errors are kept and shown until the nurse deals with them: nothing is dropped.
 */
import { ApiError, isTransient } from './graphql-client';

export type OutboxState = 'pending' | 'failed' | 'sent';

export interface OutboxError {
  code: string;
  message: string;
  field?: string;
  missingVitals?: string[];
}

export interface OutboxItem<I = unknown, R = unknown> {
  /** The clientMutationId. */
  id: string;
  kind: string;
  /** Whose write it is: only their session sends it. */
  userId: string;
  /** What the list shows (e.g. the resident's name), so the UI needs no network. */
  label: string;
  input: I;
  createdAt: string;
  state: OutboxState;
  attempts: number;
  lastAttemptAt?: string;
  error?: OutboxError;
  result?: R;
}

export type Sender = (input: unknown) => Promise<unknown>;

const STORE = 'outbox';

function promisify<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** Inputs are GraphQL variables: plain JSON. Copying also drops framework proxies (Svelte state). */
const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export function newClientMutationId(): string {
  return globalThis.crypto.randomUUID();
}

export class Outbox {
  readonly dbName: string;
  readonly senders: Record<string, Sender>;
  #db: Promise<IDBDatabase> | null = null;
  #flushing: Promise<void> | null = null;
  #listeners = new Set<() => void>();
  #channel: BroadcastChannel | null = null;

  constructor(dbName: string, senders: Record<string, Sender>) {
    this.dbName = dbName;
    this.senders = senders;
    if (typeof BroadcastChannel !== 'undefined') {
      this.#channel = new BroadcastChannel(dbName);
      this.#channel.onmessage = () => this.#emit(false);
    }
  }

  #open(): Promise<IDBDatabase> {
    this.#db ??= new Promise((resolve, reject) => {
      const req = indexedDB.open(this.dbName, 1);
      req.onupgradeneeded = () => {
        const store = req.result.createObjectStore(STORE, { keyPath: 'id' });
        store.createIndex('createdAt', 'createdAt');
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    return this.#db;
  }

  async #tx<T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
    const db = await this.#open();
    const tx = db.transaction(STORE, mode, { durability: 'strict' } as IDBTransactionOptions);
    const result = promisify(fn(tx.objectStore(STORE)));
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
    return result;
  }

  subscribe(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  #emit(broadcast = true) {
    for (const fn of this.#listeners) fn();
    if (broadcast) this.#channel?.postMessage('changed');
  }

  async list(): Promise<OutboxItem[]> {
    const items = await this.#tx('readonly', (s) => s.getAll() as IDBRequest<OutboxItem[]>);
    return items.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async get(id: string): Promise<OutboxItem | undefined> {
    return this.#tx('readonly', (s) => s.get(id) as IDBRequest<OutboxItem | undefined>);
  }

  /** Stores a new write durably (before any network), then returns it. */
  async add<I>(item: { id?: string; kind: string; userId: string; label: string; input: I }): Promise<OutboxItem<I>> {
    const stored: OutboxItem<I> = {
      id: item.id ?? newClientMutationId(),
      kind: item.kind,
      userId: item.userId,
      label: item.label,
      input: plain(item.input),
      createdAt: new Date().toISOString(),
      state: 'pending',
      attempts: 0,
    };
    await this.#tx('readwrite', (s) => s.put(stored));
    this.#emit();
    return stored;
  }

  async #put(item: OutboxItem) {
    await this.#tx('readwrite', (s) => s.put(item));
    this.#emit();
  }

  /** Sends a failed item again with a changed input (e.g. an override reason); same id. */
  async retry(id: string, input?: unknown): Promise<void> {
    const item = await this.get(id);
    if (!item || item.state === 'sent') return;
    await this.#put({ ...item, input: input === undefined ? item.input : plain(input), state: 'pending', error: undefined });
  }

  async remove(id: string): Promise<void> {
    await this.#tx('readwrite', (s) => s.delete(id));
    this.#emit();
  }

  /**
   * Sends this user's pending items, oldest first, one at a time. Stops at the first transient
   * failure (no network, overload) and leaves the rest pending; a refusal (VALIDATION, CONFLICT,
   * NOT_FOUND, FORBIDDEN) marks that item failed and goes on. One flush at a time per tab, and
   * one per device through a Web Lock.
   */
  flush(userId: string): Promise<void> {
    this.#flushing ??= this.#withLock(() => this.#flush(userId)).finally(() => {
      this.#flushing = null;
    });
    return this.#flushing;
  }

  async #withLock(fn: () => Promise<void>): Promise<void> {
    const locks = (globalThis.navigator as Navigator | undefined)?.locks;
    if (!locks) return fn();
    return locks.request(`${this.dbName}.flush`, fn);
  }

  async #flush(userId: string): Promise<void> {
    for (const listed of await this.list()) {
      if (listed.userId !== userId || listed.state !== 'pending') continue;
      // Read again: another tab may have sent it while this one waited for the lock.
      const item = await this.get(listed.id);
      if (!item || item.state !== 'pending') continue;
      const send = this.senders[item.kind];
      if (!send) continue;
      const attempt = { ...item, attempts: item.attempts + 1, lastAttemptAt: new Date().toISOString() };
      try {
        const result = await send(item.input);
        await this.#put({ ...attempt, state: 'sent', result, error: undefined });
      } catch (e) {
        if (isTransient(e) || (e instanceof ApiError && e.code === 'UNAUTHENTICATED')) {
          await this.#put(attempt);
          return;
        }
        const err = e instanceof ApiError ? e : new ApiError('INTERNAL', String(e));
        await this.#put({
          ...attempt,
          state: 'failed',
          error: { code: err.code, message: err.message, field: err.field, missingVitals: err.missingVitals },
        });
      }
    }
  }

  /** Forgets sent items older than `maxAgeMs` (they are on the server). */
  async prune(maxAgeMs = 86_400_000): Promise<void> {
    const cutoff = Date.now() - maxAgeMs;
    for (const item of await this.list()) {
      if (item.state === 'sent' && Date.parse(item.lastAttemptAt ?? item.createdAt) < cutoff) await this.remove(item.id);
    }
  }
}
