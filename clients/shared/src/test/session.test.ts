import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Session } from '../session.svelte';

const viewer = {
  role: 'NURSE',
  displayName: 'Sygeplejerske',
  email: 'n@demo.dk',
  locale: 'da',
  user: { id: 'u1' },
  careCentres: [{ id: 'c1', name: 'Solhaven' }],
  doctor: null,
  residents: [],
};

class MemoryStorage {
  map = new Map<string, string>();
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.map.set(k, v);
  }
  removeItem(k: string) {
    this.map.delete(k);
  }
}

/** A fake API: tokens expire after 15 minutes; refresh tokens rotate and are used up. */
function fakeApi(now: () => number) {
  let seq = 0;
  const valid = new Set<string>();
  const access = new Map<string, number>();
  const log: string[] = [];
  const state = { online: true };
  const pair = () => {
    seq++;
    const refreshToken = `r${seq}`;
    const accessToken = `a${seq}`;
    valid.add(refreshToken);
    access.set(accessToken, now() + 15 * 60_000);
    return { accessToken, refreshToken, expiresAt: new Date(now() + 15 * 60_000).toISOString(), viewer };
  };
  const fetchFn = vi.fn(async (_url: string, init: RequestInit) => {
    if (!state.online) throw new TypeError('Failed to fetch');
    const body = JSON.parse(String(init.body));
    const op = body.operationName as string;
    log.push(op);
    const json = (v: unknown, status = 200) => new Response(JSON.stringify(v), { status });
    if (op === 'Login') return json({ data: { login: pair() } });
    if (op === 'RefreshSession') {
      if (!valid.delete(body.variables.refreshToken)) {
        return json({ data: null, errors: [{ message: 'no', extensions: { code: 'UNAUTHENTICATED' } }] });
      }
      return json({ data: { refreshSession: pair() } });
    }
    if (op === 'Logout') return json({ data: { logout: true } });
    if (op === 'ChangePassword') {
      // Every session of the account ends; the answer is a fresh one.
      valid.clear();
      access.clear();
      return json({ data: { changePassword: pair() } });
    }
    const auth = (init.headers as Record<string, string>).authorization?.replace('Bearer ', '');
    const exp = auth ? access.get(auth) : undefined;
    if (!exp || exp <= now()) return json({ errors: [{ message: 'x', extensions: { code: 'UNAUTHENTICATED' } }] }, 401);
    return json({ data: { me: { ok: true } } });
  });
  return { fetchFn, log, state, valid };
}

const Me = Object.assign(new String('query Me { me { email } }'), { __meta__: { hash: 'abc' } }) as never;

describe('session', () => {
  let t = Date.parse('2026-11-22T10:00:00Z');
  const now = () => t;
  beforeEach(() => {
    vi.useFakeTimers();
    t = Date.parse('2026-11-22T10:00:00Z');
    vi.setSystemTime(t);
  });
  afterEach(() => vi.useRealTimers());

  function make(storage = new MemoryStorage()) {
    const api = fakeApi(now);
    const session = new Session({ app: 'nurse', endpoint: '/graphql', persisted: false, storage, now, fetch: api.fetchFn as never });
    return { api, session, storage };
  }

  it('logs in, keeps only the refresh token in storage, never the access token', async () => {
    const { session, storage } = make();
    await session.login('n@demo.dk', 'pw');
    expect(session.status).toBe('authenticated');
    expect(storage.getItem('plejelink.nurse.refresh')).toBe('r1');
    expect([...storage.map.values()].some((v) => v.includes('a1'))).toBe(false);
  });

  it('refreshes before the access token expires, rotating the refresh token', async () => {
    const { api, session, storage } = make();
    await session.login('n@demo.dk', 'pw');
    // 14 minutes later the scheduled refresh (one minute before expiry) has run.
    t += 14 * 60_000 + 1000;
    await vi.advanceTimersByTimeAsync(14 * 60_000 + 1000);
    expect(api.log.filter((o) => o === 'RefreshSession')).toHaveLength(1);
    expect(storage.getItem('plejelink.nurse.refresh')).toBe('r2');
    await expect(session.request(Me)).resolves.toEqual({ me: { ok: true } });
  });

  it('refreshes on demand when the token is (nearly) expired and shares one refresh between callers', async () => {
    const { api, session } = make();
    await session.login('n@demo.dk', 'pw');
    t += 15 * 60_000; // the phone slept: the timer did not run
    const results = await Promise.all([session.request(Me), session.request(Me), session.request(Me)]);
    expect(results).toHaveLength(3);
    expect(api.log.filter((o) => o === 'RefreshSession')).toHaveLength(1);
  });

  it('a changed password continues on the new pair: stored, used, and the old one is gone', async () => {
    const { api, session, storage } = make();
    await session.login('n@demo.dk', 'pw');
    await session.changePassword('pw', 'a-new-long-password');
    expect(storage.getItem('plejelink.nurse.refresh')).toBe('r2');
    expect(api.valid.has('r1')).toBe(false);
    await expect(session.request(Me)).resolves.toEqual({ me: { ok: true } });
    expect(api.log.filter((o) => o === 'RefreshSession')).toHaveLength(0);
    expect(session.status).toBe('authenticated');
  });

  it('restores a session from the stored refresh token after a reload', async () => {
    const storage = new MemoryStorage();
    const first = make(storage);
    await first.session.login('n@demo.dk', 'pw');
    const second = new Session({ app: 'nurse', endpoint: '/graphql', persisted: false, storage, now, fetch: first.api.fetchFn as never });
    await second.start();
    expect(second.status).toBe('authenticated');
    expect(second.viewer?.displayName).toBe('Sygeplejerske');
  });

  it('offline at start: keeps the refresh token and shows the cached viewer', async () => {
    const storage = new MemoryStorage();
    const first = make(storage);
    await first.session.login('n@demo.dk', 'pw');
    first.api.state.online = false;
    const second = new Session({ app: 'nurse', endpoint: '/graphql', persisted: false, storage, now, fetch: first.api.fetchFn as never });
    await second.start();
    expect(second.status).toBe('offline');
    expect(second.viewer?.user.id).toBe('u1');
    expect(storage.getItem('plejelink.nurse.refresh')).toBe('r1');
    await expect(second.request(Me)).rejects.toMatchObject({ code: 'NETWORK' });
    first.api.state.online = true;
    expect(await second.refresh()).toBe(true);
    expect(second.status).toBe('authenticated');
  });

  it('a refused refresh token signs out and clears storage', async () => {
    const { api, session, storage } = make();
    await session.login('n@demo.dk', 'pw');
    api.valid.clear(); // revoked on the server
    t += 15 * 60_000;
    await expect(session.request(Me)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(session.status).toBe('anonymous');
    expect(storage.getItem('plejelink.nurse.refresh')).toBeNull();
  });

  it('refuses a login of a role the app is not for', async () => {
    const api = fakeApi(now);
    const session = new Session({ app: 'doctor', roles: ['DOCTOR'], endpoint: '/graphql', persisted: false, storage: new MemoryStorage(), now, fetch: api.fetchFn as never });
    await expect(session.login('n@demo.dk', 'pw')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(session.status).not.toBe('authenticated');
  });

  it('logout ends the session on the server and forgets the tokens', async () => {
    const { api, session, storage } = make();
    await session.login('n@demo.dk', 'pw');
    await session.logout();
    expect(api.log).toContain('Logout');
    expect(storage.map.size).toBe(0);
    expect(session.status).toBe('anonymous');
  });
});
