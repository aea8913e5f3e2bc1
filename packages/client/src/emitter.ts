/**
 * A minimal typed event emitter that runs in Node and browsers (no node:events). A listener
 * that throws does not stop the others; the error is reported to `onListenerError`.
 */
export type Listener<T> = (payload: T) => void;

export class Emitter<Events extends Record<string, unknown>> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();
  /** Called when a listener throws (default: console.error). */
  onListenerError: (err: unknown, event: string) => void = (err, event) => console.error(`listener of ${event} threw`, err);

  /** Add a listener; returns a function that removes it. */
  on<E extends keyof Events>(event: E, fn: Listener<Events[E]>): () => void {
    let set = this.listeners.get(event);
    if (set === undefined) this.listeners.set(event, (set = new Set()));
    set.add(fn as Listener<never>);
    return () => this.off(event, fn);
  }

  /** Add a listener called at most once. */
  once<E extends keyof Events>(event: E, fn: Listener<Events[E]>): () => void {
    const off = this.on(event, (p) => {
      off();
      fn(p);
    });
    return off;
  }

  off<E extends keyof Events>(event: E, fn: Listener<Events[E]>): void {
    this.listeners.get(event)?.delete(fn as Listener<never>);
  }

  /** Resolves with the next payload of `event` for which `filter` holds. */
  next<E extends keyof Events>(event: E, filter: (p: Events[E]) => boolean = () => true): Promise<Events[E]> {
    return new Promise((resolve) => {
      const off = this.on(event, (p) => {
        if (!filter(p)) return;
        off();
        resolve(p);
      });
    });
  }

  protected emit<E extends keyof Events>(event: E, payload: Events[E]): void {
    const set = this.listeners.get(event);
    if (set === undefined) return;
    for (const fn of [...set]) {
      try {
        (fn as Listener<Events[E]>)(payload);
      } catch (err) {
        this.onListenerError(err, String(event));
      }
    }
  }

  protected listenerCount(event: keyof Events): number {
    return this.listeners.get(event)?.size ?? 0;
  }
}
