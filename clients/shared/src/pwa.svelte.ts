/**
 * Registers the app's service worker (built only in production) and tells the UI when a new
 * version is waiting; `update()` activates it and reloads once it has taken over.
 */
class Pwa {
  waiting: ServiceWorker | null = $state(null);

  register() {
    if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
    const base = import.meta.env.BASE_URL;
    navigator.serviceWorker
      .register(`${base}sw.js`, { scope: base })
      .then((reg) => {
        const track = (worker: ServiceWorker | null) => {
          worker?.addEventListener('statechange', () => {
            if (worker.state === 'installed' && navigator.serviceWorker.controller) this.waiting = worker;
          });
        };
        if (reg.waiting && navigator.serviceWorker.controller) this.waiting = reg.waiting;
        reg.addEventListener('updatefound', () => track(reg.installing));
        // Look for a new version now and then (the app stays open for a whole shift).
        setInterval(() => void reg.update().catch(() => {}), 30 * 60_000);
      })
      .catch(() => {});
    let reloading = false;
    navigator.serviceWorker.addEventListener('controllerchange', () => {
      if (this.waiting && !reloading) {
        reloading = true;
        location.reload();
      }
    });
  }

  update() {
    this.waiting?.postMessage({ type: 'SKIP_WAITING' });
  }
}

export const pwa = new Pwa();
