import type { RestartPolicy } from "../config/types.js";
import type { Logger } from "../log/logger.js";
import type { BackendState } from "./backend-types.js";
import type { Connection, ConnectionEnd } from "./connector.js";
import { formatMs, withinMs } from "./exit-report.js";
import { EXIT_STATUS_WAIT_MS } from "./request-forwarder.js";
import { RestartSchedule } from "./restart-policy.js";

/** What a backend's lifecycle needs from the backend. */
export interface LifecycleOptions {
  /** `backend "name"`, as messages name it. */
  label: string;
  logger: Logger;
  restart: RestartPolicy;
  /** A run this long forgives the earlier failures. */
  stableAfterMs: number;
  /** Where it starts: `disabled` for a server the config turns off, else `starting`. */
  initial: "starting" | "disabled";
  /** The state moved from `previous` to `state`. */
  changed(state: BackendState, previous: BackendState): void;
  /** Begin a new attempt (after a restart delay). */
  retry(): void;
}

/**
 * The start/restart state machine of one backend:
 * starting → ready → restarting → failed | stopped (and disabled).
 * Each connection attempt has a generation; whatever a superseded
 * generation reports (an attempt that failed late, a connection that ended
 * after a restart or stop) is ignored. A failure restarts after the
 * policy's capped exponential delay (`restart-policy.ts`) until the restart
 * budget is spent (→ failed), or at once gives up when it is permanent.
 */
export class BackendLifecycle {
  private stateValue: BackendState;
  private generationValue = 0;
  private lastErrorValue: string | null = null;
  private readonly schedule: RestartSchedule;

  constructor(private readonly options: LifecycleOptions) {
    this.stateValue = options.initial;
    this.schedule = new RestartSchedule(options.restart, options.stableAfterMs);
  }

  /** Current state. */
  get state(): BackendState {
    return this.stateValue;
  }

  /** Why the last attempt or connection failed; null once a start succeeds. */
  get lastError(): string | null {
    return this.lastErrorValue;
  }

  /** Restarts made so far. */
  get restarts(): number {
    return this.schedule.restarts;
  }

  /** True while `generation` is the current attempt or connection. */
  isCurrent(generation: number): boolean {
    return generation === this.generationValue;
  }

  /** True while `generation` is current and ready (its end is news). */
  isReady(generation: number): boolean {
    return generation === this.generationValue && this.stateValue === "ready";
  }

  /** A new attempt begins: its generation; `starting` for the first ever, `restarting` after any failure or restart. */
  begin(): number {
    const generation = ++this.generationValue;
    this.set(this.schedule.pristine ? "starting" : "restarting");
    return generation;
  }

  /** The current attempt's handshake and first listings are done. */
  ready(): void {
    this.schedule.ready();
    this.lastErrorValue = null;
    this.set("ready");
  }

  /** The ready connection ended for `reason`: restarting (the backend then empties its catalog and closes its peer, and calls restartAfterEnd). */
  interrupted(reason: string): void {
    this.schedule.ended();
    this.lastErrorValue = reason;
    this.set("restarting");
  }

  /**
   * After the ready connection of `generation` ended: name how it ended
   * (`end`, or what `connection.ended` says within a short wait), stop a
   * connection still open, then restart under the policy.
   */
  async restartAfterEnd(generation: number, connection: Connection | undefined, end?: ConnectionEnd): Promise<void> {
    const known = end ?? (await withinMs(connection?.ended, EXIT_STATUS_WAIT_MS));
    if (generation !== this.generationValue) return;
    if (known) return this.fail(generation, known.description, undefined, known.permanent);
    this.options.logger.warn(`${this.options.label} closed its output but is still running; stopping it`);
    const stopped = connection?.stop();
    this.fail(generation, "closed its output but kept running (it was stopped)", stopped);
  }

  /**
   * Record a failed attempt or connection of `generation`, then restart
   * after the policy's delay (counted from `stopping`, if given) or give up;
   * at once when `permanent` (retrying cannot help: a remote refused our
   * credentials). A superseded generation's failure is ignored.
   */
  fail(generation: number, reason: string, stopping?: Promise<unknown>, permanent?: boolean): void {
    if (generation !== this.generationValue) return;
    const failed = ++this.generationValue;
    this.lastErrorValue = reason;
    const { label, logger } = this.options;
    const { maxAttempts } = this.options.restart;
    if (permanent) {
      this.set("failed");
      logger.error(`${label} ${reason}; it will not be retried until the switchboard is restarted`);
      return;
    }
    const delay = this.schedule.failed();
    if (delay === undefined) {
      this.set("failed");
      logger.error(`${label} ${reason}; giving up after ${maxAttempts} restart attempts (fix the server or its config, then restart the switchboard)`);
      return;
    }
    this.set("restarting");
    logger.warn(`${label} ${reason}; restarting in ${formatMs(delay)} (attempt ${this.schedule.consecutiveFailures} of ${maxAttempts})`);
    // One connection at a time: the next one starts only once the last is gone (and not if stopped meanwhile).
    this.schedule.schedule(delay, () => this.options.retry(), () => failed === this.generationValue, stopping);
  }

  /** Stop for good: whatever is current is superseded and no restart is pending. The state it left, or undefined when already stopped. */
  stop(): BackendState | undefined {
    const previous = this.stateValue;
    if (previous === "stopped") return undefined;
    this.set("stopped");
    this.generationValue++;
    this.schedule.cancel();
    return previous;
  }

  private set(state: BackendState): void {
    const previous = this.stateValue;
    if (state === previous) return;
    this.stateValue = state;
    this.options.changed(state, previous);
  }
}
