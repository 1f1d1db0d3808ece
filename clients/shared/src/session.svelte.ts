/**
 * Sessions. Decision (see clients/README.md): the access token (15 min) lives in memory only; the
 * refresh token is kept in localStorage under a per-app key, so a nurse's phone stays signed in
 * across reloads and an offline outbox can be sent after the app was closed. Tokens never go into
 * URLs or logs. The access token is refreshed a minute before it expires (and at once after the
 * phone wakes up); concurrent callers share one refresh, and tabs take turns through a Web Lock.
 */
import {
  ApiError,
  isNetworkError,
  NetworkError,
  post,
  type Doc,
  type TransportOptions,
} from './graphql-client';
import {
  AcceptInviteDocument,
  ChangePasswordDocument,
  LoginDocument,
  LogoutDocument,
  RefreshSessionDocument,
  type ViewerFieldsFragment,
} from './gql/graphql';

export type Viewer = ViewerFieldsFragment;
export type SessionStatus = 'starting' | 'anonymous' | 'authenticated' | 'offline';

interface AuthPayload {
  accessToken: string;
  refreshToken: string;
  expiresAt: string;
  viewer: Viewer;
}

export interface SessionOptions extends TransportOptions {
  app: string;
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  now?: () => number;
  /** Refresh this long before the access token expires. */
  marginMs?: number;
  /** Roles this app is for; another role's login is refused with FORBIDDEN. */
  roles?: string[];
}

async function withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  return locks ? locks.request(name, fn) : fn();
}

export class Session {
  status: SessionStatus = $state('starting');
  viewer: Viewer | null = $state(null);

  readonly opts: SessionOptions;
  #access: string | null = null;
  #expiresAt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #refreshing: Promise<boolean> | null = null;
  #listeners = new Set<(s: SessionStatus) => void>();

  constructor(opts: SessionOptions) {
    this.opts = opts;
  }

  get #refreshKey() {
    return `plejelink.${this.opts.app}.refresh`;
  }
  get #viewerKey() {
    return `plejelink.${this.opts.app}.viewer`;
  }
  get #storage() {
    return this.opts.storage ?? globalThis.localStorage;
  }
  #now() {
    return (this.opts.now ?? Date.now)();
  }

  /** Called with the new status whenever it changes (the outbox flushes on `authenticated`). */
  onChange(fn: (s: SessionStatus) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  #setStatus(status: SessionStatus) {
    if (this.status === status) return;
    this.status = status;
    for (const fn of this.#listeners) fn(status);
  }

  get userId(): string | null {
    return this.viewer?.user.id ?? null;
  }

  /** Restores a session from the stored refresh token; offline, the cached viewer is shown. */
  async start(): Promise<void> {
    if (!this.#storage.getItem(this.#refreshKey)) {
      this.#setStatus('anonymous');
      return;
    }
    const cached = this.#storage.getItem(this.#viewerKey);
    if (cached) {
      try {
        this.viewer = JSON.parse(cached) as Viewer;
      } catch {
        /* ignore a damaged cache */
      }
    }
    await this.refresh();
  }

  #accept(payload: AuthPayload) {
    if (this.opts.roles && !this.opts.roles.includes(payload.viewer.role)) {
      // Not this app's user: end the new session at once and say so.
      void post(this.opts, LogoutDocument, { refreshToken: payload.refreshToken }, payload.accessToken).catch(() => {});
      throw new ApiError('FORBIDDEN', 'This app is not for this role');
    }
    this.#access = payload.accessToken;
    this.#expiresAt = Date.parse(payload.expiresAt);
    this.#storage.setItem(this.#refreshKey, payload.refreshToken);
    // The cache holds no resident's data: only who is signed in and their centres.
    const { residents: _residents, ...rest } = payload.viewer;
    this.#storage.setItem(this.#viewerKey, JSON.stringify({ ...rest, residents: [] }));
    this.viewer = payload.viewer;
    this.#schedule();
    this.#setStatus('authenticated');
  }

  #clear() {
    this.#access = null;
    this.#expiresAt = 0;
    clearTimeout(this.#timer);
    this.#storage.removeItem(this.#refreshKey);
    this.#storage.removeItem(this.#viewerKey);
    this.viewer = null;
    this.#setStatus('anonymous');
  }

  #schedule() {
    clearTimeout(this.#timer);
    const margin = this.opts.marginMs ?? 60_000;
    const delay = Math.max(5_000, this.#expiresAt - margin - this.#now());
    this.#timer = setTimeout(() => void this.refresh(), delay);
  }

  async login(email: string, password: string): Promise<void> {
    const { data, errors } = await post(this.opts, LoginDocument, { email, password }, null);
    if (errors.length || !data) throw errors[0] ?? new ApiError('INTERNAL', 'No data');
    this.#accept(data.login);
  }

  async acceptInvite(code: string, password: string, displayName: string): Promise<void> {
    const { data, errors } = await post(this.opts, AcceptInviteDocument, { code, password, displayName }, null);
    if (errors.length || !data) throw errors[0] ?? new ApiError('INTERNAL', 'No data');
    this.#accept(data.acceptInvite);
  }

  /** A new password ends every session of the account (other phones too); this one goes on with the new pair. */
  async changePassword(currentPassword: string, newPassword: string): Promise<void> {
    const data = await this.request(ChangePasswordDocument, { currentPassword, newPassword });
    this.#accept(data.changePassword);
  }

  async logout(): Promise<void> {
    const refreshToken = this.#storage.getItem(this.#refreshKey);
    const token = this.#access;
    this.#clear();
    if (refreshToken) await post(this.opts, LogoutDocument, { refreshToken }, token).catch(() => {});
  }

  /**
   * A new token pair. True when it worked; false when the server refused the refresh token
   * (signed out) or there is no network (the token is kept and tried again later).
   */
  refresh(): Promise<boolean> {
    this.#refreshing ??= withLock(`plejelink.${this.opts.app}.refresh`, () => this.#doRefresh()).finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  async #doRefresh(): Promise<boolean> {
    // Read inside the lock: another tab may have rotated it meanwhile.
    const refreshToken = this.#storage.getItem(this.#refreshKey);
    if (!refreshToken) {
      this.#clear();
      return false;
    }
    try {
      const { data, errors } = await post(this.opts, RefreshSessionDocument, { refreshToken }, null);
      if (data && !errors.length) {
        this.#accept(data.refreshSession);
        return true;
      }
      const code = errors[0]?.code;
      if (code === 'UNAUTHENTICATED' || code === 'FORBIDDEN') {
        this.#clear();
        return false;
      }
      // RATE_LIMITED / INTERNAL: keep the token and try again shortly (meanwhile the app works
      // from its outbox, as offline).
      if (!this.#access) this.#setStatus('offline');
      this.#retryLater();
      return false;
    } catch (e) {
      if (!isNetworkError(e)) throw e;
      if (!this.#access || this.#expiresAt <= this.#now()) {
        // Signed in on this device but no network: the app works from its outbox.
        this.#access = null;
        this.#setStatus('offline');
      }
      this.#retryLater();
      return false;
    }
  }

  #retryLater() {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.refresh(), 15_000);
  }

  /** A valid access token, refreshed first when it is about to expire; null when signed out. */
  async token(): Promise<string | null> {
    const margin = this.opts.marginMs ?? 60_000;
    if (this.#access && this.#expiresAt - margin > this.#now()) return this.#access;
    if (!this.#storage.getItem(this.#refreshKey)) return null;
    await this.refresh();
    return this.#access && this.#expiresAt > this.#now() ? this.#access : null;
  }

  /**
   * A new access token whatever the clock says: the server refused the one in memory (a socket
   * closed because it expired or its session ended). A refused refresh signs out.
   */
  async renew(): Promise<string | null> {
    this.#access = null;
    await this.refresh();
    return this.token();
  }

  /** Checks the token after the phone slept (timers do not run while it does). */
  wake(): void {
    if (this.status === 'authenticated' || this.status === 'offline') void this.token();
  }

  /**
   * Runs an operation as the signed-in user; on UNAUTHENTICATED refreshes once and retries.
   * Throws ApiError (NETWORK without an answer). With `allowPartial`, data with field errors
   * (e.g. NOT_FOUND on a clinical field) is returned.
   */
  async request<R, V>(doc: Doc<R, V>, variables?: V, options: { allowPartial?: boolean } = {}): Promise<R> {
    let token = await this.token();
    if (!token && this.status === 'offline') throw new NetworkError();
    let result = await post(this.opts, doc, variables, token);
    if (result.errors[0]?.code === 'UNAUTHENTICATED' && token) {
      this.#access = null;
      if (await this.refresh()) {
        token = this.#access;
        result = await post(this.opts, doc, variables, token);
      }
    }
    if (result.errors[0]?.code === 'UNAUTHENTICATED') {
      if (!this.#storage.getItem(this.#refreshKey)) this.#clear();
      throw result.errors[0];
    }
    if (result.data && (options.allowPartial || !result.errors.length)) return result.data;
    throw result.errors[0] ?? new ApiError('INTERNAL', 'No data');
  }
}
