import type { WireText } from "../../jsonrpc/serialize.js";
import { sizeOf } from "../../transport/advisory-hold.js";

/** What an event carries, which decides what is let go first when a log is over its bound. */
export type EventWeight = "advisory" | "message" | "response";

/**
 * The bytes every replay log of one session holds together, against a
 * bound. `onOver` is told when an append leaves the session over it after
 * the log trimmed what it could of its own.
 */
export class ReplayBudget {
  /** Bytes held by the session's logs now. */
  used = 0;
  /** Told when the session is over its bound (the session lets go of whole streams). */
  onOver?: () => void;

  constructor(readonly maxBytes: number) {}

  /** True while the session's logs hold more than the bound. */
  get over(): boolean {
    return this.used > this.maxBytes;
  }
}

interface Entry {
  seq: number;
  text: WireText;
  size: number;
  weight: EventWeight;
}

/**
 * The recent events of one SSE stream, kept so that a client reconnecting
 * with `Last-Event-ID` gets what it missed. Bounded by `maxBytes` for the
 * stream and by the session's budget: beyond either, the oldest advisory
 * events (progress) go first, then the oldest other messages; responses are
 * always kept (a request stream holds one per request it answers, and the
 * session lets go of whole streams when responses alone pass its bound).
 */
export class ReplayLog {
  private entries: Entry[] = [];
  private bytes = 0;
  /** Events let go to stay within the bounds, over the log's life. */
  evicted = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly budget: ReplayBudget,
  ) {}

  /** Bytes held. */
  get size(): number {
    return this.bytes;
  }

  /** Number of events held. */
  get length(): number {
    return this.entries.length;
  }

  /** Keep an event (sequence numbers ascend). */
  add(seq: number, text: WireText, weight: EventWeight): void {
    const size = sizeOf(text);
    this.entries.push({ seq, text, size, weight });
    this.bytes += size;
    this.budget.used += size;
    this.trim();
    if (this.budget.over) this.budget.onOver?.();
  }

  /** The events after `seq`, oldest first. */
  after(seq: number): WireText[] {
    const texts: WireText[] = [];
    for (const entry of this.entries) if (entry.seq > seq) texts.push(entry.text);
    return texts;
  }

  /** Let go of everything. */
  clear(): void {
    this.budget.used -= this.bytes;
    this.bytes = 0;
    this.entries = [];
  }

  /**
   * Over a bound, trim to three quarters of it: a full pass over the log
   * then runs once per quarter of the bound appended, not once per event
   * (a flood of small progress events would make that quadratic).
   */
  private trim(): void {
    if (this.bytes <= this.maxBytes && !this.budget.over) return;
    const target = this.maxBytes * 0.75;
    const sessionTarget = this.budget.maxBytes * 0.75;
    for (const weight of ["advisory", "message"] as const) {
      let kept = 0;
      for (const entry of this.entries) {
        if (entry.weight === weight && (this.bytes > target || this.budget.used > sessionTarget)) {
          this.bytes -= entry.size;
          this.budget.used -= entry.size;
          this.evicted++;
        } else {
          this.entries[kept++] = entry;
        }
      }
      this.entries.length = kept;
    }
  }
}
