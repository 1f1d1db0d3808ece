import type { News2Risk } from '@plejelink/shared';
import { ObservationAlertsDocument } from './gql/graphql';
import { centre, live, session } from './runtime.svelte';

interface Alert {
  key: string;
  residentId: string;
  residentName: string;
  room: string;
  total: number;
  riskLevel: News2Risk;
  complete: boolean;
  at: string;
}

/** MEDIUM and HIGH NEWS2 in the centre, live (`observationAlerts`); screens refetch on each. */
class Alerts {
  items: Alert[] = $state([]);
  #listeners = new Set<() => void>();
  #stop: (() => void) | null = null;
  #centre: string | null = null;

  /** Called when an alert arrives or events may have been missed. */
  onChange(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  #changed() {
    for (const fn of this.#listeners) fn();
  }

  start() {
    const id = centre.id;
    if (!id || (this.#stop && this.#centre === id)) return;
    this.#stop?.();
    this.#centre = id;
    this.#stop = live.subscribe(ObservationAlertsDocument, { careCentreId: id }, {
      onData: ({ observationAlerts: a }) => {
        if (a.resync || !a.observation || !a.resident) {
          this.#changed();
          return;
        }
        const news2 = a.observation.news2;
        this.items = [
          {
            key: a.observation.id,
            residentId: a.resident.id,
            residentName: a.resident.fullName,
            room: a.resident.room,
            total: news2?.total ?? 0,
            riskLevel: news2?.riskLevel ?? a.riskLevel ?? 'MEDIUM',
            complete: news2?.complete ?? false,
            at: a.observation.recordedAt,
          },
          ...this.items.filter((i) => i.residentId !== a.resident!.id),
        ].slice(0, 5);
        this.#changed();
      },
      onResync: () => this.#changed(),
    });
  }

  stop() {
    this.#stop?.();
    this.#stop = null;
    this.items = [];
  }

  dismiss(key: string) {
    this.items = this.items.filter((i) => i.key !== key);
  }
}

export const alerts = new Alerts();
session.onChange((s) => {
  if (s === 'authenticated') alerts.start();
  if (s === 'anonymous') alerts.stop();
});
