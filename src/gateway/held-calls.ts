/** What the table needs of a held call: a way to end it for good. */
export interface Abandonable {
  /** End the call: its backend requests get an error, the backend call is cancelled. */
  abandon(why: string): void;
}

/** Bounds of the held-call table. */
export interface HeldCallLimits {
  /** Calls held at once (waiting for their client's retry, or being resumed). */
  maxHeld: number;
  /** How long a call waits for its client's retry, ms. */
  timeoutMs: number;
}

interface Entry<T> {
  readonly call: T;
  /** Set while the call waits for its client's retry (parked). */
  timer: NodeJS.Timeout | undefined;
}

/**
 * The calls the MRTR bridge holds for modern clients, by id, bounded in
 * number. A call is parked while it waits for its client's retry: then it
 * expires after `timeoutMs` (abandoned). Adding a call beyond `maxHeld`
 * abandons the parked call held longest; when every held call has a client
 * waiting on it, the new one is refused instead. Timers are unref'd.
 */
export class HeldCallTable<T extends Abandonable> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(private readonly limits: HeldCallLimits) {}

  /** Calls held now. */
  get size(): number {
    return this.entries.size;
  }

  /** The call held under `id`. */
  get(id: string): T | undefined {
    return this.entries.get(id)?.call;
  }

  /** True when `id` is held and parked. */
  isParked(id: string): boolean {
    return this.entries.get(id)?.timer !== undefined;
  }

  /**
   * Hold `call` under `id` (not parked yet). False, holding nothing, when
   * the table is full of calls that all have a client waiting on them.
   */
  add(id: string, call: T): boolean {
    if (this.entries.has(id)) return true;
    if (this.entries.size >= this.limits.maxHeld) {
      const oldest = this.oldestParked();
      if (oldest === undefined) return false;
      this.end(oldest, `it was the oldest of ${this.limits.maxHeld} held calls (proxy.maxHeldCalls) when another needed room`);
    }
    this.entries.set(id, { call, timer: undefined });
    return true;
  }

  /** `id` now waits for its client's retry: it expires after the timeout unless resumed. */
  park(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    clearTimeout(entry.timer);
    // Re-inserted so that eviction takes the call parked longest ago.
    this.entries.delete(id);
    this.entries.set(id, entry);
    entry.timer = setTimeout(
      () => this.end(id, `its client did not retry within ${this.limits.timeoutMs} ms (proxy.heldCallTimeout)`),
      this.limits.timeoutMs,
    );
    entry.timer.unref();
  }

  /** `id`'s client retried: no longer parked. */
  resume(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    clearTimeout(entry.timer);
    entry.timer = undefined;
  }

  /** Forget `id` (its call has ended); does not abandon it. */
  delete(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.entries.delete(id);
  }

  /** Abandon every held call (shutdown). */
  abandonAll(why: string): void {
    for (const id of [...this.entries.keys()]) this.end(id, why);
  }

  private end(id: string, why: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.delete(id);
    entry.call.abandon(why);
  }

  private oldestParked(): string | undefined {
    for (const [id, entry] of this.entries) if (entry.timer !== undefined) return id;
    return undefined;
  }
}
