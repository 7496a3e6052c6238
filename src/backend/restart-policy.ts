import type { RestartPolicy } from "../config/types.js";

/**
 * Delay before restart attempt `failures` (1 = first): doubling from
 * `initialDelayMs`, capped at `maxDelayMs`; undefined once `maxAttempts`
 * consecutive failures are spent (give up).
 */
export function restartDelay(policy: RestartPolicy, failures: number): number | undefined {
  if (failures > policy.maxAttempts) return undefined;
  return Math.min(policy.initialDelayMs * 2 ** (failures - 1), policy.maxDelayMs);
}

/**
 * One backend's restart bookkeeping: consecutive failures (reset by a run
 * of `stableAfterMs`), restarts made, and the one pending restart timer.
 */
export class RestartSchedule {
  /** Restarts made so far. */
  restarts = 0;
  /** Failures since the last stable run. */
  consecutiveFailures = 0;
  private readyAt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly policy: RestartPolicy,
    private readonly stableAfterMs: number,
  ) {}

  /** True before any failure or restart. */
  get pristine(): boolean {
    return this.restarts === 0 && this.consecutiveFailures === 0;
  }

  /** A connection became ready. */
  ready(): void {
    this.readyAt = Date.now();
  }

  /** A ready connection ended: a run that lasted stableAfterMs forgives the earlier failures. */
  ended(): void {
    if (Date.now() - this.readyAt >= this.stableAfterMs) this.consecutiveFailures = 0;
  }

  /** Count a failure: the delay before the next attempt, or undefined to give up. */
  failed(): number | undefined {
    this.consecutiveFailures++;
    return restartDelay(this.policy, this.consecutiveFailures);
  }

  /**
   * Run `attempt` after `delay`, counted once `stopping` (the last
   * connection going away) settles; unless `wanted()` is false by then, or
   * cancel() is called.
   */
  schedule(delay: number, attempt: () => void, wanted: () => boolean, stopping?: Promise<unknown>): void {
    const arm = (): void => {
      if (!wanted()) return;
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.restarts++;
        attempt();
      }, delay);
      this.timer.unref?.();
    };
    if (stopping) void stopping.then(arm, arm);
    else arm();
  }

  /** Drop the pending restart, if any. */
  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
