import type { Readable } from "node:stream";

/** How much of a child's stderr reaches the log. */
export interface StderrLimits {
  /** Lines logged back to back before the rate applies (default 100). */
  burstLines: number;
  /** Lines per second logged once the burst is spent (default 20). */
  linesPerSecond: number;
  /** While lines are being suppressed, how often their count is logged, ms (default 10 s). */
  summaryIntervalMs: number;
  /** Longest line kept whole, bytes; longer ones are reported as skipped (default 64 KiB). */
  maxLineBytes: number;
  /** Clock in ms (tests pass their own; default `performance.now`). */
  now: () => number;
}

/** Default stderr limits: a burst of 100 lines, then 20 lines/s, a summary every 10 s. */
export const DEFAULT_STDERR_LIMITS: Readonly<StderrLimits> = {
  burstLines: 100,
  linesPerSecond: 20,
  summaryIntervalMs: 10_000,
  maxLineBytes: 64 * 1024,
  now: () => performance.now(),
};

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;

/**
 * Forward a child's stderr to `log`, one call per line, with memory and log
 * volume bounded: a token bucket per call admits a burst, then a steady rate;
 * suppressed lines are counted without being decoded, and their count is
 * logged ("N stderr lines suppressed in the last …") before the next admitted
 * line once `summaryIntervalMs` has passed, on a timer while the stream is
 * quiet, and at its end.
 */
export function forwardStderr(stream: Readable, log: (line: string) => void, limits: Partial<StderrLimits> = {}): void {
  const lines = new StderrLines(log, { ...DEFAULT_STDERR_LIMITS, ...limits });
  stream.on("data", (chunk: Buffer) => lines.push(chunk));
  stream.once("end", () => lines.end());
  stream.once("close", () => lines.end());
}

/** Splits stderr bytes into lines and admits them through the bucket. */
class StderrLines {
  private readonly log: (line: string) => void;
  private readonly limits: StderrLimits;
  private readonly burstCredit: number;
  private parts: Buffer[] = [];
  private held = 0;
  private oversized = false;
  private finished = false;
  // Credit in line-milliseconds: a line costs 1000, a millisecond earns linesPerSecond (exact for whole ms).
  private credit: number;
  private creditAt: number;
  private suppressed = 0;
  private suppressedSince = 0;
  private summaryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(log: (line: string) => void, limits: StderrLimits) {
    this.log = log;
    this.limits = limits;
    this.burstCredit = limits.burstLines * 1000;
    this.credit = this.burstCredit;
    this.creditAt = limits.now();
  }

  push(chunk: Buffer): void {
    if (this.finished) return;
    const now = this.refill();
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, start);
      if (newline === -1) {
        this.hold(chunk.subarray(start));
        return;
      }
      if (this.held === 0 && !this.oversized) {
        this.line(chunk, start, newline, now);
      } else {
        this.hold(chunk.subarray(start, newline));
        this.heldLine(now);
      }
      start = newline + 1;
    }
  }

  end(): void {
    if (this.finished) return;
    const now = this.refill();
    if (this.held > 0 || this.oversized) this.heldLine(now);
    this.finished = true;
    this.summarise(now);
  }

  private refill(): number {
    const now = this.limits.now();
    this.credit = Math.min(this.burstCredit, this.credit + (now - this.creditAt) * this.limits.linesPerSecond);
    this.creditAt = now;
    return now;
  }

  private hold(bytes: Buffer): void {
    if (bytes.length === 0 || this.oversized) return;
    if (this.held + bytes.length > this.limits.maxLineBytes) {
      this.oversized = true;
      this.parts = [];
      this.held = 0;
      return;
    }
    this.parts.push(bytes);
    this.held += bytes.length;
  }

  private heldLine(now: number): void {
    if (this.oversized) {
      this.oversized = false;
      this.admit(`(a stderr line over ${this.limits.maxLineBytes} bytes was skipped)`, now);
      return;
    }
    const bytes = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.held);
    this.parts = [];
    this.held = 0;
    this.line(bytes, 0, bytes.length, now);
  }

  /** One complete line, `bytes[start, end)`; decoded only if it is admitted. */
  private line(bytes: Buffer, start: number, end: number, now: number): void {
    if (end - start > this.limits.maxLineBytes) {
      this.admit(`(a stderr line over ${this.limits.maxLineBytes} bytes was skipped)`, now);
      return;
    }
    if (end > start && bytes[end - 1] === CARRIAGE_RETURN) end--;
    let first = start;
    while (first < end && (bytes[first] === SPACE || bytes[first] === TAB || bytes[first] === CARRIAGE_RETURN)) first++;
    if (first === end) return;
    if (this.credit < 1000) {
      this.suppress(now);
      return;
    }
    const text = bytes.toString("utf8", start, end);
    if (text.trim().length > 0) this.admit(text, now);
  }

  private admit(text: string, now: number): void {
    if (this.credit < 1000) {
      this.suppress(now);
      return;
    }
    this.credit -= 1000;
    if (this.suppressed > 0 && now - this.suppressedSince >= this.limits.summaryIntervalMs) this.summarise(now);
    this.log(text);
  }

  private suppress(now: number): void {
    if (this.suppressed++ > 0) return;
    this.suppressedSince = now;
    this.summaryTimer = setTimeout(() => this.summarise(this.limits.now()), this.limits.summaryIntervalMs);
    this.summaryTimer.unref?.();
  }

  private summarise(now: number): void {
    clearTimeout(this.summaryTimer);
    this.summaryTimer = undefined;
    const count = this.suppressed;
    if (count === 0) return;
    this.suppressed = 0;
    const { burstLines, linesPerSecond } = this.limits;
    const seconds = (Math.max(0, now - this.suppressedSince) / 1000).toFixed(1);
    this.log(
      `${count} stderr line${count === 1 ? "" : "s"} suppressed in the last ${seconds} s (more than ${linesPerSecond} lines/s after a burst of ${burstLines})`,
    );
  }
}
