/**
 * Maps each event name to the arguments its listeners receive, e.g.
 * `{ stateChanged: [state: BackendState, previous: BackendState] }`.
 */
export type EventMap<Events> = { [K in keyof Events]: unknown[] };

/** Receives a listener's failure: what it threw and the event it was handling. */
export type ListenerErrorReporter = (error: unknown, event: string) => void;

/**
 * A typed event source whose listeners are isolated from each other and from
 * the emitter: a listener that throws (or returns a promise that rejects) is
 * reported through the reporter given at construction, and the remaining
 * listeners still run. Emitting never throws.
 *
 * Listeners run synchronously, in subscription order; those added during an
 * emit wait for the next one, and one removed during an emit is not called if
 * its turn has not come.
 */
export class Emitter<Events extends EventMap<Events>> {
  private readonly listeners = new Map<keyof Events, Array<(...args: never[]) => unknown>>();
  private readonly report: ListenerErrorReporter;

  constructor(report: ListenerErrorReporter) {
    this.report = report;
  }

  /** Call `listener` on every `event` until the returned function is called. */
  on<K extends keyof Events>(event: K, listener: (...args: Events[K]) => unknown): () => void {
    const current = this.listeners.get(event) ?? [];
    // Copy on write: an emit in progress keeps iterating the array it started with.
    this.listeners.set(event, [...current, listener]);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      const now = this.listeners.get(event) ?? [];
      const index = now.indexOf(listener);
      if (index === -1) return;
      const next = now.filter((_, i) => i !== index);
      if (next.length === 0) this.listeners.delete(event);
      else this.listeners.set(event, next);
    };
  }

  /** Call every listener of `event` with `args`; failures are reported, never thrown. */
  emit<K extends keyof Events>(event: K, ...args: Events[K]): void {
    const list = this.listeners.get(event);
    if (!list) return;
    for (const listener of list) {
      if (list !== this.listeners.get(event) && !this.listeners.get(event)?.includes(listener)) continue;
      try {
        const outcome = (listener as (...args: Events[K]) => unknown)(...args);
        if (isThenable(outcome)) outcome.then(undefined, (error: unknown) => this.reportFailure(error, event));
      } catch (error) {
        this.reportFailure(error, event);
      }
    }
  }

  /** Number of listeners of `event`, or of every event. */
  listenerCount(event?: keyof Events): number {
    if (event !== undefined) return this.listeners.get(event)?.length ?? 0;
    let count = 0;
    for (const list of this.listeners.values()) count += list.length;
    return count;
  }

  private reportFailure(error: unknown, event: keyof Events): void {
    try {
      this.report(error, String(event));
    } catch {
      // A reporter that throws must not turn a listener's failure into the emitter's.
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}
