import type { Cancellation } from "./cancellation.js";
import { SwitchboardError } from "./local-error.js";
import { JsonRpcError } from "./errors.js";
import { isFailure, type JsonObject, type JsonRpcId, type JsonRpcResponse } from "./message.js";
import { SlotMap } from "./slot-map.js";

interface Entry {
  method: string;
  timeoutMs: number;
  deadline: number;
  resolve: (result: JsonObject) => void;
  reject: (error: Error) => void;
  onAbandon: (id: JsonRpcId, reason: string) => void;
  cleanup: (() => void) | undefined;
  tag: unknown;
}

/**
 * Outgoing requests awaiting their response, keyed by the id this side
 * allocated. Every entry leaves the map exactly once: answered, timed out,
 * aborted, or rejected when the connection dies.
 *
 * Timeouts share one timer set for the earliest deadline, rather than a
 * timer per request: on the hot path a request costs a map entry, not a
 * timer created and cleared.
 */
export class PendingRequests {
  private readonly label: string;
  /** Waiting requests by id (a SlotMap: see there why not a Map). */
  private readonly entries = new SlotMap<number, Entry>();
  private nextId = 1;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt = Infinity;

  constructor(label: string) {
    this.label = label;
  }

  /** Requests still waiting. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Register a new request; `onAbandon` runs when it times out or is
   * aborted, to tell the remote side. `tag` is kept with it (see tagOf).
   */
  add(
    method: string,
    timeoutMs: number,
    stop: { signal?: AbortSignal | undefined; cancellation?: Cancellation | undefined; tag?: unknown },
    onAbandon: (id: JsonRpcId, reason: string) => void,
  ): { id: number; promise: Promise<JsonObject> } {
    const id = this.nextId++;
    let resolve!: (result: JsonObject) => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<JsonObject>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const { signal, cancellation } = stop;
    if (signal?.aborted || cancellation?.cancelled) {
      reject(abortError(method, this.label, signal?.aborted ? signal.reason : cancellation?.reason));
      return { id, promise };
    }
    const abandon = (why: unknown): void => {
      const reason = abortError(method, this.label, why);
      if (this.reject(id, reason)) onAbandon(id, reason.message);
    };
    let cleanup: (() => void) | undefined;
    if (cancellation) cleanup = cancellation.onCancel(abandon);
    if (signal) {
      const onAbort = (): void => abandon(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      const previous = cleanup;
      cleanup = () => {
        previous?.();
        signal.removeEventListener("abort", onAbort);
      };
    }
    const deadline = Date.now() + timeoutMs;
    this.entries.set(id, { method, timeoutMs, deadline, resolve, reject, onAbandon, cleanup, tag: stop.tag });
    if (deadline < this.timerAt) this.schedule(deadline);
    return { id, promise };
  }

  /** The method of a waiting request, or undefined when the id is unknown. */
  methodOf(id: JsonRpcId): string | undefined {
    return typeof id === "number" ? this.entries.get(id)?.method : undefined;
  }

  /** The tag a waiting request was sent with, or undefined when the id is unknown (answered, abandoned, foreign). */
  tagOf(id: JsonRpcId): unknown {
    return typeof id === "number" ? this.entries.get(id)?.tag : undefined;
  }

  /** Settle with a response; one that matches no waiting request is reported to `warn`. */
  settleResponse(response: JsonRpcResponse, warn?: (message: string) => void): void {
    const id = response.id;
    const settled = isFailure(response) ? this.reject(id, JsonRpcError.fromObject(response.error)) : id !== null && this.resolve(id, response.result);
    if (settled) return;
    if (id !== null) {
      warn?.(`dropped a response from ${this.label} to unknown or abandoned request id ${JSON.stringify(id)}`);
      return;
    }
    const text = isFailure(response) ? `${response.error.code} ${response.error.message}` : "a result";
    warn?.(
      `${this.label} sent an error response with id null (${text}): it names no request, so no call can be matched to it; the calls in flight wait for their answers or their timeout`,
    );
  }

  /**
   * A malformed answer (`what` is wrong with it) fails the request it names
   * now, rather than at its timeout; one that names no waiting request is
   * reported and dropped.
   */
  failInvalidAnswer(id: JsonRpcId | null, what: string, warn?: (message: string) => void): void {
    const method = id === null ? undefined : this.methodOf(id);
    if (method !== undefined && this.reject(id, new SwitchboardError("INVALID_MESSAGE", `${this.label} answered ${method} with an invalid response (${what})`))) {
      warn?.(`${this.label} answered ${method} (request ${JSON.stringify(id)}) with an invalid response: ${what}; the call failed`);
      return;
    }
    const whose = id === null ? "that names no usable id" : `to unknown or abandoned request id ${JSON.stringify(id)}`;
    warn?.(`${this.label} sent an invalid response ${whose}; it was dropped: ${what}`);
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
    const entries = [...this.entries.valuesInOrder()];
    this.entries.clear();
    this.unschedule();
    for (const entry of entries) {
      entry.cleanup?.();
      entry.reject(error);
    }
  }

  private take(id: JsonRpcId | null): Entry | undefined {
    if (typeof id !== "number") return undefined;
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    this.entries.delete(id);
    entry.cleanup?.();
    // The timer stays when the map empties: at one request in flight, clearing
    // it here meant a setTimeout and a clearTimeout per call. Left alone it
    // fires once, finds nothing due, and stops (it is unref'd meanwhile).
    return entry;
  }

  private schedule(at: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => this.expire(), Math.max(0, at - Date.now()));
    this.timer.unref?.();
  }

  private unschedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  private expire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = Date.now();
    let next = Infinity;
    for (const [id, entry] of this.entries) {
      if (entry.deadline > now) {
        next = Math.min(next, entry.deadline);
        continue;
      }
      const error = new SwitchboardError(
        "REQUEST_TIMEOUT",
        `${this.label} did not answer ${entry.method} within ${entry.timeoutMs} ms; the request was abandoned (raise the timeout if it needs longer)`,
      );
      if (this.reject(id, error)) entry.onAbandon(id, error.message);
    }
    if (next !== Infinity && this.entries.size > 0) this.schedule(next);
  }
}

function abortError(method: string, label: string, reason: unknown): SwitchboardError {
  const why = reason instanceof Error ? reason.message : reason === undefined ? "aborted" : String(reason);
  return new SwitchboardError("REQUEST_CANCELLED", `${method} to ${label} was cancelled: ${why}`, { cause: reason });
}
