/** Whether the browser believes it is online (for the offline banner). */
class Online {
  value = $state(globalThis.navigator?.onLine ?? true);
  constructor() {
    globalThis.addEventListener?.('online', () => (this.value = true));
    globalThis.addEventListener?.('offline', () => (this.value = false));
  }
}
export const online = new Online();
