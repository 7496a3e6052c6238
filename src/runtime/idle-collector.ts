import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** How long without activity counts as idle. */
export const IDLE_AFTER_MS = 2000;
/** Growth of RSS over the last settled level that is worth a quiet spell of collections. */
export const DEFAULT_GROWTH_BYTES = 16 * 1024 * 1024;
/**
 * Full collections per quiet spell: V8 gives pages back over successive
 * collections (here the big drop came at the fourth), not in one.
 */
const COLLECTIONS_PER_SPELL = 5;

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

/** What the collector watches and does; the defaults are the real process. */
export interface IdleCollectorOptions {
  /** Tick interval (default 2000 ms). */
  intervalMs?: number;
  /** RSS growth that earns a spell of collections (default 16 MiB). */
  growthBytes?: number;
  /** Resident set size now (default process.memoryUsage.rss). */
  memory?: () => number;
  /** Run one full collection; null when none is available (default V8's). */
  collect?: Collect | null;
  /** Milliseconds now (default Date.now). */
  now?: () => number;
}

/**
 * Returns memory to the system after a burst of load. V8 collects old-space
 * garbage only when allocation pushes it to, so a gateway that goes quiet
 * after serving thousands of calls would keep that garbage (and its RSS)
 * indefinitely.
 *
 * Full collections are not free: besides their own time, they cost the
 * optimised code of the hot path, so the next burst starts cold (measured:
 * about twice the CPU per call for its first few thousand calls). So a
 * spell of collections runs only when it pays: activity stopped for
 * IDLE_AFTER_MS *and* RSS grew by `growthBytes` since it last settled; then
 * one collection per tick, a few in all. An interactive client making a
 * call every few seconds, which allocates little, never triggers one.
 */
export class IdleCollector {
  private readonly read: () => number;
  private readonly memory: () => number;
  private readonly collectFn: () => Collect | null;
  private readonly now: () => number;
  private readonly growthBytes: number;
  private seen: number;
  private lastChange: number;
  /** RSS when the process last settled (start, or the end of a spell). */
  private settledRss: number;
  /** Collections still allowed in the current spell (0: no spell). */
  private owed = 0;
  private readonly timer: ReturnType<typeof setInterval>;
  /** Full collections run so far. */
  collections = 0;

  /** `activity` returns a counter that grows with every request served. */
  constructor(activity: () => number, options: IdleCollectorOptions = {}) {
    this.read = activity;
    this.memory = options.memory ?? (() => process.memoryUsage.rss());
    const injected = options.collect;
    this.collectFn = injected === undefined ? collector : () => injected;
    this.now = options.now ?? Date.now;
    this.growthBytes = options.growthBytes ?? DEFAULT_GROWTH_BYTES;
    this.seen = activity();
    this.lastChange = this.now();
    this.settledRss = this.memory();
    this.timer = setInterval(() => this.tick(), options.intervalMs ?? 2000);
    this.timer.unref();
  }

  /** Stop watching. */
  stop(): void {
    clearInterval(this.timer);
  }

  /** One look at the process (the timer calls this; tests may too). */
  tick(): void {
    const activity = this.read();
    if (activity !== this.seen) {
      this.seen = activity;
      this.lastChange = this.now();
      this.owed = 0;
      return;
    }
    if (this.now() - this.lastChange < IDLE_AFTER_MS) return;
    if (this.owed === 0) {
      const rss = this.memory();
      if (rss - this.settledRss < this.growthBytes) {
        // Nothing worth returning; follow the level down if it sank on its own.
        this.settledRss = Math.min(this.settledRss, rss);
        return;
      }
      this.owed = COLLECTIONS_PER_SPELL;
    }
    const gc = this.collectFn();
    if (!gc) {
      this.owed = 0;
      return;
    }
    gc();
    this.collections++;
    this.owed--;
    if (this.owed === 0) this.settledRss = this.memory();
  }
}
