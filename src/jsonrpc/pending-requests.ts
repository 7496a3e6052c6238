import { SwitchboardError } from "./local-error.js";
import type { JsonObject, JsonRpcId } from "./message.js";

interface Entry {
  method: string;
  resolve: (result: JsonObject) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
  cleanup: () => void;
}

/**
 * Outgoing requests awaiting their response, keyed by the id this side
 * allocated. Every entry leaves the map exactly once: answered, timed out,
 * aborted, or rejected when the connection dies.
 */
export class PendingRequests {
  private readonly label: string;
  private readonly entries = new Map<number, Entry>();
  private nextId = 1;

  constructor(label: string) {
    this.label = label;
  }

  /** Requests still waiting. */
  get size(): number {
    return this.entries.size;
  }

  /** Register a new request; `onAbandon` runs when it times out or is aborted, to tell the remote side. */
  add(
    method: string,
    timeoutMs: number,
    signal: AbortSignal | undefined,
    onAbandon: (id: JsonRpcId, reason: string) => void,
  ): { id: number; promise: Promise<JsonObject> } {
    const id = this.nextId++;
    let resolve!: (result: JsonObject) => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<JsonObject>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    if (signal?.aborted) {
      reject(abortError(method, this.label, signal.reason));
      return { id, promise };
    }
    const onAbort = (): void => {
      const reason = abortError(method, this.label, signal?.reason);
      if (this.reject(id, reason)) onAbandon(id, reason.message);
    };
    const timer = setTimeout(() => {
      const error = new SwitchboardError(
        "REQUEST_TIMEOUT",
        `${this.label} did not answer ${method} within ${timeoutMs} ms; the request was abandoned (raise the timeout if it needs longer)`,
      );
      if (this.reject(id, error)) onAbandon(id, error.message);
    }, timeoutMs);
    timer.unref?.();
    signal?.addEventListener("abort", onAbort, { once: true });
    this.entries.set(id, {
      method,
      resolve,
      reject,
      timer,
      cleanup: () => signal?.removeEventListener("abort", onAbort),
    });
    return { id, promise };
  }

  /** Settle with a result; false when the id is unknown (late or foreign answer). */
  resolve(id: JsonRpcId, result: JsonObject): boolean {
    const entry = this.take(id);
    if (!entry) return false;
    entry.resolve(result);
    return true;
  }

  /** Settle with an error; false when the id is unknown. */
  reject(id: JsonRpcId | null, error: Error): boolean {
    const entry = this.take(id);
    if (!entry) return false;
    entry.reject(error);
    return true;
  }

  /** Reject every waiting request with one error. */
  rejectAll(error: Error): void {
    const entries = [...this.entries.values()];
    this.entries.clear();
    for (const entry of entries) {
      clearTimeout(entry.timer);
      entry.cleanup();
      entry.reject(error);
    }
  }

  private take(id: JsonRpcId | null): Entry | undefined {
    if (typeof id !== "number") return undefined;
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    this.entries.delete(id);
    clearTimeout(entry.timer);
    entry.cleanup();
    return entry;
  }
}

function abortError(method: string, label: string, reason: unknown): SwitchboardError {
  const why = reason instanceof Error ? reason.message : reason === undefined ? "aborted" : String(reason);
  return new SwitchboardError("REQUEST_CANCELLED", `${method} to ${label} was cancelled: ${why}`, { cause: reason });
}
