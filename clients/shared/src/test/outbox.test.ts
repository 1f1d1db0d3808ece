import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { ApiError, NetworkError } from '../graphql-client';
import { Outbox } from '../outbox';

let n = 0;
const freshName = () => `outbox-test-${++n}`;

/** A fake server: idempotent by clientMutationId, can be switched offline. */
function fakeServer() {
  const stored = new Map<string, unknown>();
  const calls: string[] = [];
  const state = { online: true, refuse: null as ApiError | null };
  const send = async (input: unknown) => {
    const { clientMutationId } = input as { clientMutationId: string };
    calls.push(clientMutationId);
    if (!state.online) throw new NetworkError();
    if (state.refuse) throw state.refuse;
    if (!stored.has(clientMutationId)) stored.set(clientMutationId, input);
    return { ok: clientMutationId };
  };
  return { stored, calls, state, send };
}

describe('outbox', () => {
  it('keeps a write made offline across a reload and sends it exactly once when online', async () => {
    const server = fakeServer();
    const name = freshName();
    server.state.online = false;
    const first = new Outbox(name, { observation: server.send });
    const item = await first.add({ kind: 'observation', userId: 'u1', label: 'Room 3', input: { clientMutationId: 'cm-1', pulse: 80 }, id: 'cm-1' });
    await first.flush('u1');
    expect((await first.get(item.id))?.state).toBe('pending');
    expect((await first.get(item.id))?.attempts).toBe(1);

    // "Reload": a new instance over the same database still has it.
    const second = new Outbox(name, { observation: server.send });
    expect((await second.list()).map((i) => i.id)).toEqual(['cm-1']);
    await second.flush('u1');
    expect(server.stored.size).toBe(0);

    server.state.online = true;
    await Promise.all([second.flush('u1'), second.flush('u1'), first.flush('u1')]);
    expect(server.stored.size).toBe(1);
    expect((await second.get('cm-1'))?.state).toBe('sent');
    // Every attempt used the id made on the device; no attempt after it was acknowledged.
    expect(new Set(server.calls)).toEqual(new Set(['cm-1']));
    const afterSent = server.calls.length;
    await second.flush('u1');
    expect(server.calls.length).toBe(afterSent);
  });

  it('keeps a validation error or conflict and does not drop the item', async () => {
    const server = fakeServer();
    const box = new Outbox(freshName(), { question: server.send });
    server.state.refuse = new ApiError('VALIDATION', 'missing', { field: 'observationIds', missingVitals: ['PULSE'] });
    await box.add({ id: 'q-1', kind: 'question', userId: 'u1', label: 'x', input: { clientMutationId: 'q-1' } });
    await box.add({ id: 'q-2', kind: 'question', userId: 'u1', label: 'y', input: { clientMutationId: 'q-2' } });
    await box.flush('u1');
    const failed = await box.get('q-1');
    expect(failed?.state).toBe('failed');
    expect(failed?.error).toMatchObject({ code: 'VALIDATION', field: 'observationIds', missingVitals: ['PULSE'] });
    // A refusal does not block the queue: the next item was tried too.
    expect((await box.get('q-2'))?.state).toBe('failed');

    // The nurse adds an override reason: the same id goes again.
    server.state.refuse = null;
    await box.retry('q-1', { clientMutationId: 'q-1', overrideReason: 'no equipment' });
    await box.flush('u1');
    expect((await box.get('q-1'))?.state).toBe('sent');
    expect(server.stored.get('q-1')).toEqual({ clientMutationId: 'q-1', overrideReason: 'no equipment' });
  });

  it('stops at a transient failure and keeps order; sends only the signed-in user\'s items', async () => {
    const server = fakeServer();
    const box = new Outbox(freshName(), { observation: server.send });
    await box.add({ id: 'a', kind: 'observation', userId: 'u1', label: '', input: { clientMutationId: 'a' } });
    await box.add({ id: 'b', kind: 'observation', userId: 'u2', label: '', input: { clientMutationId: 'b' } });
    await box.add({ id: 'c', kind: 'observation', userId: 'u1', label: '', input: { clientMutationId: 'c' } });
    server.state.refuse = new ApiError('RATE_LIMITED', 'slow down');
    await box.flush('u1');
    expect(server.calls).toEqual(['a']);
    expect((await box.get('a'))?.state).toBe('pending');
    server.state.refuse = null;
    await box.flush('u1');
    expect([...server.stored.keys()]).toEqual(['a', 'c']);
    expect((await box.get('b'))?.state).toBe('pending');
  });

  it('stores inputs that hold framework proxies (Svelte state) as plain data', async () => {
    const server = fakeServer();
    server.state.online = false;
    const box = new Outbox(freshName(), { question: server.send });
    const proxied = new Proxy({ clientMutationId: 'x', observationIds: new Proxy(['o1'], {}) }, {});
    await box.add({ id: 'x', kind: 'question', userId: 'u1', label: '', input: proxied });
    await box.retry('x', { ...proxied, overrideReason: 'r' });
    expect((await box.get('x'))?.input).toEqual({ clientMutationId: 'x', observationIds: ['o1'], overrideReason: 'r' });
  });

  it('forgets sent items after a day, never pending ones', async () => {
    const server = fakeServer();
    const box = new Outbox(freshName(), { observation: server.send });
    await box.add({ id: 's', kind: 'observation', userId: 'u1', label: '', input: { clientMutationId: 's' } });
    await box.flush('u1');
    server.state.online = false;
    await box.add({ id: 'p', kind: 'observation', userId: 'u1', label: '', input: { clientMutationId: 'p' } });
    await box.prune(-1);
    expect((await box.list()).map((i) => i.id)).toEqual(['p']);
  });
});
