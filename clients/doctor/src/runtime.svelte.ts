import { createRuntime } from '@plejelink/shared';
import { messages } from './messages';

export const { session, live } = createRuntime('doctor', ['DOCTOR'], messages);

/** "Now", ticking every 30 s, so times to deadline and "overdue" stay current on screen. */
class Clock {
  now = $state(Date.now());
  constructor() {
    setInterval(() => (this.now = Date.now()), 30_000);
  }
}
export const clock = new Clock();
