import { ApiError } from './graphql-client';

/** A read with loading, error and data states for a screen; `load()` again to refetch. */
export class Query<T> {
  data: T | null = $state(null);
  error: ApiError | null = $state(null);
  loading = $state(false);
  #fn: () => Promise<T>;
  #seq = 0;

  constructor(fn: () => Promise<T>) {
    this.#fn = fn;
  }

  async load(): Promise<void> {
    const seq = ++this.#seq;
    this.loading = true;
    try {
      const data = await this.#fn();
      if (seq !== this.#seq) return;
      this.data = data;
      this.error = null;
    } catch (e) {
      if (seq !== this.#seq) return;
      this.error = e instanceof ApiError ? e : new ApiError('INTERNAL', String(e));
    } finally {
      if (seq === this.#seq) this.loading = false;
    }
  }
}
