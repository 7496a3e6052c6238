import { isolatedSignal } from "./isolated-signal.js";

/** Told about an exception thrown by a cancellation listener (which is then isolated). */
export type ListenerFailure = (error: unknown) => void;

/** Without a reporter, a throwing listener still leaves a trace (never silent, never fatal). */
const defaultReport: ListenerFailure = (error) => {
  process.emitWarning(`a cancellation listener threw: ${error instanceof Error ? error.message : String(error)}`, "CancellationWarning");
};


/**
 * A light cancellation token for the hot path. Node's AbortController is an
 * EventTarget, and creating one per request, then adding and removing a
 * listener per forwarded call, showed up as ~8% of the CPU profile under
 * load. This does the same job with a field and a callback; an AbortSignal
 * view is made only when a handler asks for one.
 *
 * Listeners are isolated: one that throws (here or on the AbortSignal view)
 * is reported to `report` and the others still run. Node would otherwise
 * turn an exception in an abort listener into an uncaught exception.
 */
export class Cancellation {
  private reasonValue: Error | undefined;
  private listener: ((reason: Error) => void) | undefined;
  private more: Array<(reason: Error) => void> | undefined;
  private signalValue: AbortSignal | undefined;
  private readonly report: ListenerFailure;

  constructor(report: ListenerFailure = defaultReport) {
    this.report = report;
  }

  /** True once cancelled. */
  get cancelled(): boolean {
    return this.reasonValue !== undefined;
  }

  /** Why it was cancelled. */
  get reason(): Error | undefined {
    return this.reasonValue;
  }

  /** Cancel: every listener runs once, each isolated from the others. Later calls do nothing. */
  cancel(reason: Error): void {
    if (this.reasonValue) return;
    this.reasonValue = reason;
    const first = this.listener;
    const more = this.more;
    this.listener = undefined;
    this.more = undefined;
    if (first) this.run(first, reason);
    if (more) for (const listener of more) this.run(listener, reason);
  }

  /** Run `listener` on cancellation; returns the function that unsubscribes it. */
  onCancel(listener: (reason: Error) => void): () => void {
    if (this.listener === undefined) {
      this.listener = listener;
      return () => {
        if (this.listener === listener) this.listener = undefined;
      };
    }
    (this.more ??= []).push(listener);
    return () => {
      const index = this.more?.indexOf(listener) ?? -1;
      if (index !== -1) this.more!.splice(index, 1);
    };
  }

  /** A standard AbortSignal that aborts with this cancellation (made on first use; its listeners are isolated too). */
  get signal(): AbortSignal {
    this.signalValue ??= isolatedSignal(this, this.report);
    return this.signalValue;
  }

  private run(listener: (reason: Error) => void, reason: Error): void {
    try {
      listener(reason);
    } catch (error) {
      this.report(error);
    }
  }
}
