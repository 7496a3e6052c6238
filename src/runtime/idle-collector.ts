import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** How long without activity counts as idle. */
export const IDLE_AFTER_MS = 2000;
/** Full collections after each burst. */
const COLLECTIONS_PER_QUIET_SPELL = 5;

type Collect = () => void;
let collect: Collect | undefined | null;

/** V8's full collector, exposed on demand; null where it cannot be had. */
function collector(): Collect | null {
  if (collect !== undefined) return collect;
  try {
    setFlagsFromString("--expose-gc");
    const gc: unknown = runInNewContext("gc");
    collect = typeof gc === "function" ? (gc as Collect) : null;
  } catch {
    collect = null;
  }
  return collect;
}

/**
 * Returns memory to the system after a burst of load. V8 collects old-space
 * garbage only when allocation pushes it to, so a gateway that goes quiet
 * after serving thousands of calls would keep that garbage (and its RSS)
 * indefinitely. Once activity stops for IDLE_AFTER_MS, a few full
 * collections run, one per tick (V8 shrinks the heap over successive
 * collections, not in one); a quiet process is then left alone until the
 * next burst.
 */
export class IdleCollector {
  private readonly read: () => number;
  private seen: number;
  private lastChange = Date.now();
  /** Collections still to run in this quiet spell. */
  private owed = 0;
  private readonly timer: ReturnType<typeof setInterval>;
  /** Full collections run so far. */
  collections = 0;

  /** `activity` returns a counter that grows with every request served. */
  constructor(activity: () => number, intervalMs = 2000) {
    this.read = activity;
    this.seen = activity();
    this.timer = setInterval(() => this.tick(), intervalMs);
    this.timer.unref();
  }

  /** Stop watching. */
  stop(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    const now = this.read();
    if (now !== this.seen) {
      this.seen = now;
      this.lastChange = Date.now();
      this.owed = COLLECTIONS_PER_QUIET_SPELL;
      return;
    }
    if (this.owed === 0 || Date.now() - this.lastChange < IDLE_AFTER_MS) return;
    this.owed--;
    const gc = collector();
    if (gc) {
      gc();
      this.collections++;
    } else {
      this.owed = 0;
    }
  }
}
