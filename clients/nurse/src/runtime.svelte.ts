import { createRuntime, Outbox, type OutboxItem } from '@plejelink/shared';
import {
  AskQuestionDocument,
  RecordObservationDocument,
  type AskQuestionInput,
  type RecordObservationInput,
} from './gql/graphql';
import { messages } from './messages';

export const { session, live } = createRuntime('nurse', ['NURSE', 'COORDINATOR'], messages);

/** Writes made at the bedside go through the outbox (see shared/src/outbox.ts). */
export const outbox = new Outbox('plejelink-nurse-outbox', {
  observation: async (input) =>
    (await session.request(RecordObservationDocument, { input: input as RecordObservationInput })).recordObservation,
  question: async (input) => (await session.request(AskQuestionDocument, { input: input as AskQuestionInput })).askQuestion,
});

/** The outbox as the screens see it (kept current from IndexedDB and other tabs). */
class OutboxView {
  items: OutboxItem[] = $state([]);
  get waiting() {
    return this.items.filter((i) => i.state !== 'sent').length;
  }
  async refresh() {
    this.items = await outbox.list().catch(() => []);
  }
}
export const outboxView = new OutboxView();
outbox.subscribe(() => void outboxView.refresh());
void outboxView.refresh();

/** Sends what waits whenever sending may work: signed in, back online, every 30 s, on wake-up. */
export function flushOutbox(): Promise<void> {
  const user = session.userId;
  if (!user || session.status !== 'authenticated') return Promise.resolve();
  return outbox.flush(user);
}
session.onChange((status) => {
  if (status === 'authenticated') void flushOutbox();
});
globalThis.addEventListener('online', () => void flushOutbox());
setInterval(() => {
  if (outboxView.items.some((i) => i.state === 'pending')) void flushOutbox();
}, 30_000);
void outbox.prune();

/** The centre the nurse works in now (they may belong to several). */
class Centre {
  #chosen: string | null = $state(globalThis.localStorage?.getItem('plejelink.nurse.centre') ?? null);
  get id(): string | null {
    const centres = session.viewer?.careCentres ?? [];
    return centres.find((c) => c.id === this.#chosen)?.id ?? centres[0]?.id ?? null;
  }
  get name(): string {
    return session.viewer?.careCentres.find((c) => c.id === this.id)?.name ?? '';
  }
  choose(id: string) {
    this.#chosen = id;
    localStorage.setItem('plejelink.nurse.centre', id);
  }
}
export const centre = new Centre();

/** Residents seen in this tab (name, room, SpO2 scale), so recording works after the network went. */
export const residentCache = new Map<string, { id: string; fullName: string; room: string; spo2Scale: 'SCALE_1' | 'SCALE_2'; careCentreId: string }>();
