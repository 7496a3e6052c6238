import { Cancellation } from "../jsonrpc/cancellation.js";
import { ErrorCode, JsonRpcError } from "../jsonrpc/errors.js";
import { SwitchboardError } from "../jsonrpc/local-error.js";
import { isJsonObject, type JsonObject, type JsonRpcId } from "../jsonrpc/message.js";
import type { NotifyOptions } from "../jsonrpc/peer.js";
import { missingCapabilityError } from "../mcp/discover.js";
import { Method } from "../mcp/methods.js";
import type { InputRequest } from "../mcp/modern.js";
import type { RosterMember } from "../jsonrpc/roster.js";
import type { ClientContext, ClientRequestOptions, ClientSink, RequestContext } from "./request-context.js";
import type { HeldCallBounds, HeldCallOwner } from "./held-call-owner.js";
import { capabilitiesNeededFor } from "../mcp/capabilities.js";

/** A backend request waiting for the modern client's answer. */
interface PendingInput {
  readonly request: InputRequest;
  readonly resolve: (result: JsonObject) => void;
  readonly reject: (error: Error) => void;
  readonly unsubscribe: () => void;
}

/** The client request waiting on the call now (the first one, then each retry). */
interface Waiter {
  readonly request: RequestContext;
  readonly resolve: (answer: JsonObject) => void;
  readonly reject: (error: unknown) => void;
  readonly unsubscribe: () => void;
}

/** The short prefix of an input request's key, by method. */
const KEY_PREFIX: Readonly<Record<string, string>> = {
  [Method.ElicitationCreate]: "elicitation",
  [Method.SamplingCreateMessage]: "sampling",
  [Method.RootsList]: "roots",
};

/**
 * One routed call of a modern client to a backend, run on the client's
 * behalf across its MRTR rounds. The backend call is forwarded with
 * `context` (a client of its own, `client`, so that what the backend asks
 * while serving it reaches `sink`, not a front). A backend request is
 * kept pending under a key until the client's retry answers it; the client
 * request waiting on the call (next()) gets, as its owner words it, either
 * the final result or, once the backend has asked and a short batch window
 * has passed, every pending request. Abandoning the call answers the pending
 * backend requests with an error and cancels the backend call
 * (`notifications/cancelled`).
 */
export class HeldCall {
  /** The backend call's context; its client has no other request (ServerRequests tracks it without a key). */
  readonly context: RequestContext & RosterMember;
  private readonly cancellation = new Cancellation();
  // Made on first use, like the sink: most calls never ask for input.
  private pendingInputs: Map<string, PendingInput> | undefined = undefined;
  private sinkValue: ClientSink | undefined = undefined;
  private waiter: Waiter | undefined;
  /** The backend call's outcome once it has come ("none" before): its result or its error in `outcomeValue`. */
  private outcome: "none" | "ok" | "failed" = "none";
  private outcomeValue: unknown = undefined;
  private batchTimer: NodeJS.Timeout | undefined;
  private asked = 0;
  private ended = false;

  constructor(
    readonly client: ClientContext,
    /** The backend's name and the method, for messages. */
    private readonly server: string,
    private readonly method: string,
    origin: RequestContext,
    private readonly bounds: HeldCallBounds,
    private readonly owner: HeldCallOwner,
  ) {
    this.context = new HeldContext(client, origin.requestId, this.cancellation, origin.meta, this);
  }

  /** What messages call this call. */
  get label(): string {
    return `${this.method} of backend "${this.server}" for a modern client`;
  }

  /** The call's client as ServerRequests reaches it: a backend request becomes a pending input of the call. */
  get sink(): ClientSink {
    this.sinkValue ??= {
      client: this.client,
      notify: () => undefined,
      request: (method, params, options) => this.ask(method, params, options),
      refused: (method, params, why) => this.abandon(`${method} needs a capability its client did not declare`, missingCapabilityError(capabilitiesNeededFor(method, params, this.client.capabilities), why)),
    };
    return this.sinkValue;
  }

  private get pending(): Map<string, PendingInput> {
    this.pendingInputs ??= new Map();
    return this.pendingInputs;
  }

  private get hasPending(): boolean {
    return this.pendingInputs !== undefined && this.pendingInputs.size > 0;
  }

  /** True once the call has ended. */
  get isEnded(): boolean {
    return this.ended;
  }

  /** True while a client request waits on the call. */
  get isWaited(): boolean {
    return this.waiter !== undefined;
  }

  /** Follow the backend call's answer (the owner is told it settled first). */
  run(answered: Promise<JsonObject>): void {
    answered.then(
      (result) => this.settle("ok", result),
      (error: unknown) => this.settle("failed", error),
    );
  }

  /** Answer the pending backend requests the client answered; unknown keys are ignored, missing ones stay pending. */
  answer(inputResponses: JsonObject | undefined): void {
    if (!inputResponses || !this.hasPending) return;
    for (const [key, value] of Object.entries(inputResponses)) {
      const input = this.pending.get(key);
      if (!input || !isJsonObject(value)) continue;
      this.pending.delete(key);
      input.unsubscribe();
      input.resolve(value);
    }
  }

  /**
   * The answer for the client request `request` (the owner's wording of the
   * next step): at once when the call has ended or backend requests are
   * pending, else when either happens. The client cancelling `request`
   * abandons the call.
   */
  next(request: RequestContext): Promise<JsonObject> {
    if (this.outcome !== "none") return this.finish();
    if (this.hasPending) {
      try {
        return Promise.resolve(this.owner.answerInput(this.inputRequests()));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return new Promise<JsonObject>((resolve, reject) => {
      const unsubscribe = request.cancellation.onCancel(() => this.abandon("its client cancelled the request"));
      this.waiter = { request, resolve, reject, unsubscribe };
    });
  }

  /**
   * End the call for good: pending backend requests get an error, the
   * backend call is cancelled; the client request waiting on it gets
   * `clientError` (default: an error saying why the call was abandoned).
   */
  abandon(why: string, clientError?: JsonRpcError): void {
    if (this.ended) return;
    const error = new JsonRpcError(ErrorCode.ServerError, `${this.label} was abandoned: ${why}`, { reason: "HELD_CALL_ABANDONED" });
    this.end(error);
    this.cancellation.cancel(new SwitchboardError("REQUEST_CANCELLED", `${this.label} was abandoned: ${why}`));
    this.release()?.reject(clientError ?? error);
  }

  /** A progress notification or log about the call goes to the client request waiting on it, if any. */
  notifyClient(method: string, params: JsonObject | undefined, options: NotifyOptions | undefined): Promise<void> {
    const waiting = this.waiter?.request;
    if (!waiting) return Promise.resolve();
    if (method !== Method.Progress) return waiting.notify(method, params, options);
    const token = waiting.meta?.["progressToken"];
    // Progress is shown under the waiting request's own token; a request without one asked for none.
    if (token === undefined) return Promise.resolve();
    return waiting.notify(method, { ...params, progressToken: token } as JsonObject, options);
  }

  /** A backend request for the client: pending under a new key until the client's retry answers it. */
  private ask(method: string, params: JsonObject | undefined, options: ClientRequestOptions): Promise<JsonObject> {
    if (this.ended) return Promise.reject(new JsonRpcError(ErrorCode.ServerError, `${method} was not passed on: ${this.label} has ended`, { reason: "NO_CLIENT" }));
    if (this.pending.size >= this.bounds.maxInputRequests) {
      return Promise.reject(
        new JsonRpcError(
          ErrorCode.ServerError,
          `${method} was not passed on: ${this.label} already has ${this.bounds.maxInputRequests} requests waiting for its client (proxy.maxInputRequests)`,
          { reason: "TOO_MANY_INPUT_REQUESTS" },
        ),
      );
    }
    const key = `${KEY_PREFIX[method] ?? "input"}-${++this.asked}`;
    return new Promise<JsonObject>((resolve, reject) => {
      const unsubscribe = options.cancellation.onCancel((reason) => {
        // The backend withdrew its request: the client is no longer asked.
        this.pending.delete(key);
        reject(reason);
      });
      this.pending.set(key, { request: params === undefined ? { method } : { method, params }, resolve, reject, unsubscribe });
      this.wake();
    });
  }

  /** A backend request arrived: the waiting client request gets it after the batch window. */
  private wake(): void {
    if (!this.waiter || this.batchTimer) return;
    this.batchTimer = setTimeout(() => {
      this.batchTimer = undefined;
      if (!this.hasPending) return;
      const waiter = this.release();
      if (waiter !== undefined) this.deliver(waiter, "input");
    }, this.bounds.inputBatchWindowMs);
    this.batchTimer.unref();
  }

  private inputRequests(): Record<string, InputRequest> {
    const inputRequests: Record<string, InputRequest> = {};
    for (const [key, input] of this.pending) inputRequests[key] = input.request;
    return inputRequests;
  }

  /** Answer `waiter` with the owner's wording of the final result or of the pending requests (its error when the owner throws). */
  private deliver(waiter: Waiter, step: "result" | "input"): void {
    let answer: JsonObject;
    try {
      answer = step === "result" ? this.owner.answerResult(this.outcomeValue as JsonObject) : this.owner.answerInput(this.inputRequests());
    } catch (error) {
      waiter.reject(error);
      return;
    }
    waiter.resolve(answer);
  }

  private settle(outcome: "ok" | "failed", value: unknown): void {
    this.owner.settled();
    if (this.ended) return;
    this.outcome = outcome;
    this.outcomeValue = value;
    const waiter = this.release();
    if (!waiter) return;
    this.endNow();
    if (outcome === "ok") this.deliver(waiter, "result");
    else waiter.reject(value);
  }

  /** The call's outcome for the client; the call ends. */
  private finish(): Promise<JsonObject> {
    this.endNow();
    if (this.outcome === "failed") return Promise.reject(this.outcomeValue);
    try {
      return Promise.resolve(this.owner.answerResult(this.outcomeValue as JsonObject));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private endNow(): void {
    this.end(undefined);
  }

  /** The waiting client request, no longer waiting. */
  private release(): Waiter | undefined {
    const waiter = this.waiter;
    this.waiter = undefined;
    clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    waiter?.unsubscribe();
    return waiter;
  }

  /** The call is over: backend requests still pending get `pendingError`, or (undefined) an error saying the call has ended, made only then: most calls have none. */
  private end(pendingError: Error | undefined): void {
    if (this.ended) return;
    this.ended = true;
    if (this.pendingInputs !== undefined && this.pendingInputs.size > 0) {
      const error = pendingError ?? new JsonRpcError(ErrorCode.ServerError, `${this.label} has ended; the client is no longer asked`, { reason: "NO_CLIENT" });
      for (const input of this.pending.values()) {
        input.unsubscribe();
        input.reject(error);
      }
      this.pending.clear();
    }
    this.owner.ended();
  }
}

/** The RequestContext of a held call's backend call: its client is the call's own; notifications go to the waiting client request. */
class HeldContext implements RequestContext, RosterMember {
  rosterIndex = -1;

  constructor(
    readonly client: ClientContext,
    readonly requestId: JsonRpcId,
    readonly cancellation: Cancellation,
    readonly meta: JsonObject | undefined,
    private readonly call: HeldCall,
  ) {}

  get signal(): AbortSignal {
    return this.cancellation.signal;
  }

  notify(method: string, params?: JsonObject, options?: NotifyOptions): Promise<void> {
    return this.call.notifyClient(method, params, options);
  }
}
