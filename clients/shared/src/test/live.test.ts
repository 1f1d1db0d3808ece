import { describe, expect, it, vi } from 'vitest';
import { Live } from '../live';
import type { Session } from '../session.svelte';

/** A fake server end of `graphql-transport-ws`: acks connections, records subscriptions. */
class FakeSocket {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;
  static all: FakeSocket[] = [];
  readyState = 0;
  protocol = 'graphql-transport-ws';
  sent: { type: string; id?: string; payload?: Record<string, unknown> }[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: ((e: { code: number; reason: string; wasClean: boolean }) => void) | null = null;
  onerror: ((e: unknown) => void) | null = null;
  constructor(
    readonly url: string,
    readonly proto: string,
  ) {
    FakeSocket.all.push(this);
    setTimeout(() => {
      this.readyState = 1;
      this.onopen?.();
    }, 0);
  }
  send(data: string) {
    const msg = JSON.parse(data);
    this.sent.push(msg);
    if (msg.type === 'connection_init') this.reply({ type: 'connection_ack' });
  }
  reply(msg: unknown) {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
  /** The server pushes an event to the subscription. */
  push(data: unknown) {
    const sub = this.sent.find((m) => m.type === 'subscribe');
    this.reply({ type: 'next', id: sub?.id, payload: { data } });
  }
  /** The connection drops (as when a phone changes network). */
  drop() {
    this.readyState = 3;
    this.onclose?.({ code: 1006, reason: '', wasClean: false });
  }
  /** The server closes the socket with a code of its own. */
  closeWith(code: number) {
    this.readyState = 3;
    this.onclose?.({ code, reason: '', wasClean: true });
  }
  close() {
    this.readyState = 3;
  }
}

const doc = Object.assign(new String('subscription Events { questionEvents { kind } }'), { __meta__: { hash: 'ab'.repeat(32) } }) as never;
const session = { token: async () => 'access-token', onChange: () => () => {} } as unknown as Session;
const until = async (cond: () => boolean) => {
  for (let i = 0; i < 300 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
};

describe('live updates', () => {
  it('sends the token in connection_init and a documentId, reconnects after a drop and asks for a refetch', async () => {
    FakeSocket.all = [];
    const live = new Live(session, 'ws://test/graphql/ws', true, FakeSocket);
    const onData = vi.fn();
    const onResync = vi.fn();
    const stop = live.subscribe(doc, {}, { onData, onResync });

    await until(() => FakeSocket.all[0]?.sent.some((m) => m.type === 'subscribe'));
    const first = FakeSocket.all[0];
    expect(first.url).toBe('ws://test/graphql/ws');
    expect(first.sent[0]).toEqual({ type: 'connection_init', payload: { token: 'access-token' } });
    const subscribe = first.sent.find((m) => m.type === 'subscribe')!;
    expect(subscribe.payload).toMatchObject({ extensions: { documentId: `sha256:${'ab'.repeat(32)}` } });
    expect(subscribe.payload?.query).toBe('');

    first.push({ questionEvents: { kind: 'ASKED' } });
    expect(onData).toHaveBeenCalledWith({ questionEvents: { kind: 'ASKED' } });
    expect(onResync).not.toHaveBeenCalled();

    first.drop();
    await until(() => FakeSocket.all[1]?.sent.some((m) => m.type === 'subscribe'));
    // Events may have been missed while it was down: the screen refetches.
    expect(onResync).toHaveBeenCalledTimes(1);
    FakeSocket.all[1].push({ questionEvents: { kind: 'ANSWERED' } });
    expect(onData).toHaveBeenLastCalledWith({ questionEvents: { kind: 'ANSWERED' } });
    stop();
    live.close();
  });

  it('sends the query text in development', async () => {
    FakeSocket.all = [];
    const live = new Live(session, 'ws://test/graphql/ws', false, FakeSocket);
    const stop = live.subscribe(doc, {}, { onData: () => {}, onResync: () => {} });
    await until(() => FakeSocket.all[0]?.sent.some((m) => m.type === 'subscribe'));
    const subscribe = FakeSocket.all[0].sent.find((m) => m.type === 'subscribe')!;
    expect(subscribe.payload?.query).toContain('subscription Events');
    expect(subscribe.payload).not.toHaveProperty('extensions');
    stop();
    live.close();
  });

  it('after the token expired (4401) reconnects at once with a renewed token and asks for a refetch', async () => {
    FakeSocket.all = [];
    let current = 'old-token';
    const renew = vi.fn(async () => (current = 'new-token'));
    const renewing = { token: async () => current, renew, onChange: () => () => {} } as unknown as Session;
    const live = new Live(renewing, 'ws://test/graphql/ws', true, FakeSocket);
    const onData = vi.fn();
    const onResync = vi.fn();
    const stop = live.subscribe(doc, {}, { onData, onResync });
    await until(() => FakeSocket.all[0]?.sent.some((m) => m.type === 'subscribe'));

    FakeSocket.all[0].closeWith(4401);
    // `until` gives up after 3 s: well before the 5 s back-off of other errors.
    await until(() => FakeSocket.all[1]?.sent.some((m) => m.type === 'subscribe'));
    expect(renew).toHaveBeenCalledTimes(1);
    expect(FakeSocket.all[1].sent[0]).toEqual({ type: 'connection_init', payload: { token: 'new-token' } });
    expect(onResync).toHaveBeenCalled();
    FakeSocket.all[1].push({ questionEvents: { kind: 'ASKED' } });
    expect(onData).toHaveBeenLastCalledWith({ questionEvents: { kind: 'ASKED' } });
    stop();
    live.close();
  });

  it('after the session ended (4403) renews the refused token, but not one the session already replaced', async () => {
    FakeSocket.all = [];
    let current = 'first-token';
    const renew = vi.fn(async () => (current = 'renewed-token'));
    const renewing = { token: async () => current, renew, onChange: () => () => {} } as unknown as Session;
    const live = new Live(renewing, 'ws://test/graphql/ws', true, FakeSocket);
    const stop = live.subscribe(doc, {}, { onData: () => {}, onResync: () => {} });
    await until(() => FakeSocket.all[0]?.sent.some((m) => m.type === 'subscribe'));

    FakeSocket.all[0].closeWith(4403);
    await until(() => FakeSocket.all[1]?.sent.some((m) => m.type === 'subscribe'));
    expect(renew).toHaveBeenCalledTimes(1);
    expect(FakeSocket.all[1].sent[0]).toEqual({ type: 'connection_init', payload: { token: 'renewed-token' } });

    // A new password on this phone: the session already holds a new token when the old socket closes.
    current = 'after-password-change';
    FakeSocket.all[1].closeWith(4403);
    await until(() => FakeSocket.all[2]?.sent.some((m) => m.type === 'subscribe'));
    expect(renew).toHaveBeenCalledTimes(1);
    expect(FakeSocket.all[2].sent[0]).toEqual({ type: 'connection_init', payload: { token: 'after-password-change' } });
    stop();
    live.close();
  });
});
