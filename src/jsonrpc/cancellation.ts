/** Told about an exception thrown by a cancellation listener (which is then isolated). */
export type ListenerFailure = (error: unknown) => void;

/** Without a reporter, a throwing listener still leaves a trace (never silent, never fatal). */
const defaultReport: ListenerFailure = (error) => {
  process.emitWarning(`a cancellation listener threw: ${error instanceof Error ? error.message : String(error)}`, "CancellationWarning");
};

type AddArgs = Parameters<AbortSignal["addEventListener"]>;
type RemoveArgs = Parameters<AbortSignal["removeEventListener"]>;
type AbortListener = NonNullable<AddArgs[1]>;
type PlainListener = (event: Event) => void;

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
  private controller: AbortController | undefined;
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
    this.controller?.abort(reason);
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
    if (!this.controller) {
      this.controller = new AbortController();
      isolateListeners(this.controller.signal, this.report);
      if (this.reasonValue) this.controller.abort(this.reasonValue);
    }
    return this.controller.signal;
  }

  private run(listener: (reason: Error) => void, reason: Error): void {
    try {
      listener(reason);
    } catch (error) {
      this.report(error);
    }
  }
}

/**
 * Make every listener added to `signal` (addEventListener or onabort) run
 * inside try/catch, reporting what it throws instead of letting Node raise it
 * as an uncaught exception.
 */
function isolateListeners(signal: AbortSignal, report: ListenerFailure): void {
  const wrapped = new WeakMap<AbortListener, PlainListener>();
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  const guard = (listener: AbortListener): PlainListener => {
    let safe = wrapped.get(listener);
    if (!safe) {
      safe = (event: Event) => {
        try {
          if (typeof listener === "function") listener.call(signal, event);
          else listener.handleEvent(event);
        } catch (error) {
          report(error);
        }
      };
      wrapped.set(listener, safe);
    }
    return safe;
  };
  Object.defineProperties(signal, {
    addEventListener: {
      value: (type: AddArgs[0], listener: AddArgs[1], options?: AddArgs[2]) => {
        if (listener) add(type, guard(listener), options);
      },
    },
    removeEventListener: {
      value: (type: RemoveArgs[0], listener: RemoveArgs[1], options?: RemoveArgs[2]) => {
        const safe = listener ? wrapped.get(listener) : undefined;
        if (safe) remove(type, safe, options);
      },
    },
  });
  let handler: ((this: AbortSignal, event: Event) => unknown) | null = null;
  Object.defineProperty(signal, "onabort", {
    get: () => handler,
    set: (value: ((this: AbortSignal, event: Event) => unknown) | null) => {
      handler = typeof value === "function" ? value : null;
    },
  });
  add("abort", (event: Event) => {
    if (!handler) return;
    try {
      handler.call(signal, event);
    } catch (error) {
      report(error);
    }
  });
}
