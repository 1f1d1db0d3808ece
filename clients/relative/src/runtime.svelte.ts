import { createRuntime, Query } from '@plejelink/shared';
import { MyResidentsDocument } from './gql/graphql';
import { messages } from './messages';

export const { session, live } = createRuntime('relative', ['RELATIVE'], messages);

/** The relative's residents (one login may cover several), loaded once per sign-in. */
export const residents = new Query(async () => (await session.request(MyResidentsDocument)).me.residents);
session.onChange((s) => {
  if (s === 'authenticated') void residents.load();
});

/** The resident being looked at (the first, or the one chosen). */
class Chosen {
  id: string | null = $state(null);
  get resident() {
    const list = residents.data ?? [];
    return list.find((r) => r.id === this.id) ?? list[0] ?? null;
  }
}
export const chosen = new Chosen();
