import { ApiError } from './graphql-client';

/**
 * A write started from a screen: `busy` while it runs, then the translated `error`, or `done`
 * (a message for the person) and `after()` (e.g. a refetch).
 */
export class Action {
  busy = $state(false);
  error: ApiError | null = $state(null);
  done: string | null = $state(null);
  #after: () => Promise<unknown> | void;

  constructor(after: () => Promise<unknown> | void = () => {}) {
    this.#after = after;
  }

  async run(fn: () => Promise<unknown>, message: string | null = null): Promise<boolean> {
    this.busy = true;
    this.error = null;
    this.done = null;
    try {
      await fn();
      this.done = message;
      await this.#after();
      return true;
    } catch (e) {
      this.error = e instanceof ApiError ? e : new ApiError('INTERNAL', String(e));
      return false;
    } finally {
      this.busy = false;
    }
  }
}
