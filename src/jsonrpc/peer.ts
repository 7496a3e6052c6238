import { Cancellation } from "./cancellation.js";
import { ErrorCode, JsonRpcError } from "./errors.js";
import { SwitchboardError } from "./local-error.js";
import {
  isFailure,
  isNotification,
  isRequest,
  type JsonObject,
  type JsonRpcId,
  type JsonRpcMessage,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type JsonRpcResponse,
} from "./message.js";
import {
  DEFAULT_MAX_CONCURRENT_INCOMING,
  DEFAULT_MAX_QUEUED_INCOMING,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type PeerOptions,
  type RequestOptions,
} from "./peer-options.js";
import { PendingRequests } from "./pending-requests.js";
import { sendFailure } from "./send-failure.js";
import { RequestQueue } from "./request-queue.js";
import { SlotMap } from "./slot-map.js";
import { ServedRequest, toJsonRpcError, type NotificationHandler, type RequestHandler } from "./served-request.js";
import { SENT, type SendOptions, type Transport } from "./transport.js";

export type { IncomingRequest, NotificationHandler, NotifyOptions, RequestHandler } from "./served-request.js";
export { DEFAULT_MAX_CONCURRENT_INCOMING, DEFAULT_MAX_QUEUED_INCOMING, DEFAULT_REQUEST_TIMEOUT_MS } from "./peer-options.js";
export type { PeerOptions, RequestOptions } from "./peer-options.js";

/**
 * A JSON-RPC 2.0 endpoint on top of a transport: allocates ids, keeps the
 * pending-request map with timeouts, dispatches incoming requests and
 * notifications, and rejects everything pending when the connection closes.
 */
export class JsonRpcPeer {
  readonly transport: Transport;
  private readonly options: PeerOptions;
  private readonly pending: PendingRequests;
  private readonly requestHandlers = new Map<string, RequestHandler>();
  private readonly notificationHandlers = new Map<string, NotificationHandler>();
  /** Requests being handled, by id (a SlotMap: see there why not a Map). */
  private readonly incoming = new SlotMap<JsonRpcId, Cancellation>();
  /** Requests waiting for a slot, by id, in arrival order. */
  private readonly waiting = new RequestQueue();
  /** The related request id (MessageExtra) of waiting requests that have one. */
  private readonly waitingRelated = new WeakMap<JsonRpcRequest, JsonRpcId>();
  private inputPaused = false;
  private active = 0;
  private fallback: RequestHandler | undefined;
  private closedReason: Error | undefined;
  /** Called once when the connection is gone, after pending requests were rejected. */
  onclose?: (reason: Error) => void;

  constructor(transport: Transport, options: PeerOptions = {}) {
    this.transport = transport;
    this.options = options;
    this.pending = new PendingRequests(options.label ?? "peer");
    transport.onmessage = (message, extra) => this.receive(message, extra?.relatedRequestId);
    transport.oninvalid = (error, id, response) => this.receiveInvalid(error, id, response === true);
    transport.onclose = (reason) => this.handleClose(reason);
    transport.onerror = (error) => this.options.onWarning?.(error.message);
  }

  /** True until the transport closed. */
  get isOpen(): boolean {
    return this.closedReason === undefined;
  }

  /** Outgoing requests awaiting a response. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Incoming requests being handled (cancelled ones until their handler returns) or waiting for a slot. */
  get incomingCount(): number {
    return this.active + this.waiting.size;
  }

  /** Serve `method` with `handler`. */
  setRequestHandler(method: string, handler: RequestHandler): void {
    this.requestHandlers.set(method, handler);
  }

  /** Serve every request method without a handler of its own. */
  setFallbackRequestHandler(handler: RequestHandler): void {
    this.fallback = handler;
  }

  /** Receive `method` notifications with `handler`. */
  setNotificationHandler(method: string, handler: NotificationHandler): void {
    this.notificationHandlers.set(method, handler);
  }

  /** Start the transport. */
  async start(): Promise<void> {
    await this.transport.start();
  }

  /** Send a request and wait for its result; rejects with JsonRpcError or a SwitchboardError. */
  request(method: string, params?: JsonObject, options: RequestOptions = {}): Promise<JsonObject> {
    if (this.closedReason) return Promise.reject(this.closedReason);
    const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const { id, promise } = this.pending.add(method, timeoutMs, options, (abandonedId, reason) => {
      this.options.onAbandon?.(abandonedId, reason);
      options.onAbandon?.(abandonedId, reason);
    });
    const message: JsonRpcRequest =
      params === undefined ? { jsonrpc: "2.0", id, method } : { jsonrpc: "2.0", id, method, params };
    const sendOptions: SendOptions | undefined =
      options.relatedRequestId === undefined ? undefined : { relatedRequestId: options.relatedRequestId };
    this.transport.send(message, sendOptions).catch((error: unknown) => {
      this.pending.reject(id, sendFailure(this.options.label ?? "peer", method, error, this.closedReason !== undefined));
    });
    return promise;
  }



  /** Send a notification. */
  async notify(method: string, params?: JsonObject, options?: SendOptions): Promise<void> {
    if (this.closedReason) return;
    const message: JsonRpcNotification = params === undefined ? { jsonrpc: "2.0", method } : { jsonrpc: "2.0", method, params };
    await this.transport.send(message, options);
  }

  /**
   * Abort an incoming request (the caller cancelled it): its response will
   * not be sent, its id is free again at once, and the transport is told
   * (an HTTP exchange waiting for it ends).
   */
  cancelIncoming(id: JsonRpcId, reason: string): boolean {
    if (this.waiting.remove(id)) {
      this.transport.abandon?.(id);
      this.resumeIfDrained();
      return true;
    }
    const cancellation = this.incoming.get(id);
    if (!cancellation) return false;
    this.incoming.delete(id);
    cancellation.cancel(new SwitchboardError("REQUEST_CANCELLED", reason));
    this.transport.abandon?.(id);
    return true;
  }

  /** Close the connection: every pending request is rejected. */
  async close(): Promise<void> {
    if (this.closedReason) return;
    await this.transport.close();
    // Transports call onclose; make sure it happened even if one did not.
    this.handleClose(undefined);
  }

  private receive(message: JsonRpcMessage, related: JsonRpcId | undefined): void {
    if (isRequest(message)) {
      const id = message.id;
      if (this.incoming.has(id) || this.waiting.has(id)) {
        const error = new JsonRpcError(
          ErrorCode.InvalidRequest,
          `Invalid Request: id ${JSON.stringify(id)} is already in use by a request in progress; use a fresh id`,
        );
        void this.respond(error.toResponse(id), id);
      } else if (this.active < (this.options.maxConcurrentIncoming ?? DEFAULT_MAX_CONCURRENT_INCOMING)) {
        this.serveInSlot(message, related);
      } else {
        this.enqueue(message, related);
      }
    } else if (isNotification(message)) {
      const handler = this.notificationHandlers.get(message.method);
      if (!handler) return;
      try {
        handler(message.params, related === undefined ? undefined : this.pending.tagOf(related));
      } catch (error) {
        this.options.onWarning?.(`handler for ${message.method} failed: ${String(error)}`);
      }
    } else {
      this.settle(message);
    }
  }

  /** A request that finds every slot taken waits, up to the queue bound; then input pauses, or the request is answered "busy". */
  private enqueue(request: JsonRpcRequest, related: JsonRpcId | undefined): void {
    const max = this.options.maxQueuedIncoming ?? DEFAULT_MAX_QUEUED_INCOMING;
    const canPause = this.transport.pauseInput !== undefined;
    // A paused byte stream may still deliver the rest of the chunk in hand: a
    // margin of one more queue's worth, then "busy" all the same.
    if (this.waiting.size >= (canPause ? 2 * max : max)) {
      const error = new JsonRpcError(
        ErrorCode.ServerError,
        `Server busy: ${this.waiting.size} requests are already waiting on this connection (limit ${max}); retry once some are answered`,
        { reason: "BUSY", queued: this.waiting.size },
      );
      void this.respond(error.toResponse(request.id), request.id);
      return;
    }
    this.waiting.push(request);
    if (related !== undefined) this.waitingRelated.set(request, related);
    if (canPause && !this.inputPaused && this.waiting.size >= max) {
      this.inputPaused = true;
      this.transport.pauseInput!();
    }
  }

  /** Input paused for a full queue resumes once half of it is served. */
  private resumeIfDrained(): void {
    if (!this.inputPaused) return;
    if (this.waiting.size > (this.options.maxQueuedIncoming ?? DEFAULT_MAX_QUEUED_INCOMING) / 2) return;
    this.inputPaused = false;
    if (this.isOpen) this.transport.resumeInput?.();
  }

  private settle(response: JsonRpcResponse): void {
    this.pending.settleResponse(response, this.options.onWarning);
  }


  private receiveInvalid(error: JsonRpcError, id: JsonRpcId | null, response: boolean): void {
    const label = this.options.label ?? "peer";
    const what = error.message.replace(/^Invalid Request: /, "");
    if (response) {
      this.pending.failInvalidAnswer(id, what, this.options.onWarning);
      return;
    }
    if (this.options.answerInvalid) {
      this.transport.send(error.toResponse(id)).catch(() => undefined);
    }
    this.options.onWarning?.(`invalid message from ${label} skipped: ${what}`);
  }

  private serveInSlot(request: JsonRpcRequest, related: JsonRpcId | undefined): void {
    this.active++;
    // serve() turns every failure into an error response; should it still
    // reject, the slot is freed all the same and the failure is reported.
    void this.serve(request, related).then(this.freeSlot, this.servedWithFailure);
  }

  private readonly servedWithFailure = (error: unknown): void => {
    this.options.onWarning?.(`serving a request failed unexpectedly: ${String(error)}`);
    this.freeSlot();
  };

  /** A response was written: the next queued request gets the slot. */
  private readonly freeSlot = (): void => {
    this.active--;
    if (this.waiting.size === 0 || !this.isOpen) return;
    const next = this.waiting.shift();
    if (next) this.serveInSlot(next, this.waitingRelated.get(next));
    this.resumeIfDrained();
  };

  /** Where a throwing cancellation listener is reported (it is isolated, never fatal). */
  private readonly listenerFailed = (error: unknown): void => {
    this.options.onWarning?.(`a cancellation listener threw (ignored): ${error instanceof Error ? error.message : String(error)}`);
  };

  /**
   * Serve one request: never rejects, every failure becomes an error
   * response. Promise chains, not an async function: every request of every
   * client passes here.
   */
  private serve(request: JsonRpcRequest, related: JsonRpcId | undefined): Promise<void> {
    const id = request.id;
    const handler = this.requestHandlers.get(request.method) ?? this.fallback;
    if (!handler) {
      const error = new JsonRpcError(ErrorCode.MethodNotFound, `Method not found: ${request.method}`);
      return this.respond(error.toResponse(id), id);
    }
    const cancellation = new Cancellation(this.listenerFailed);
    this.incoming.set(id, cancellation);
    let outcome: Promise<JsonObject> | JsonObject;
    try {
      outcome = handler(
        new ServedRequest(id, request.method, request.params, cancellation, (method, params, options) =>
          this.notify(method, params, options?.advisory ? { relatedRequestId: id, advisory: options.advisory } : { relatedRequestId: id }),
          related,
          related === undefined ? undefined : this.pending.tagOf(related),
        ),
      );
    } catch (error) {
      return this.answer(id, cancellation, toJsonRpcError(error).toResponse(id));
    }
    if (!isThenable(outcome)) return this.answer(id, cancellation, { jsonrpc: "2.0", id, result: outcome });
    return Promise.resolve(outcome).then(
      (result) => this.answer(id, cancellation, { jsonrpc: "2.0", id, result }),
      (error: unknown) => this.answer(id, cancellation, toJsonRpcError(error).toResponse(id)),
    );
  }

  /** The handler is done: send its answer, unless the request was cancelled (its caller has forgotten it). */
  private answer(id: JsonRpcId, cancellation: Cancellation, response: JsonRpcResponse): Promise<void> {
    // A cancelled request's id may already serve a newer request.
    if (this.incoming.get(id) === cancellation) this.incoming.delete(id);
    if (cancellation.cancelled) return SENT;
    return this.respond(response, id);
  }

  private respond(response: JsonRpcResponse, id: JsonRpcId): Promise<void> {
    if (this.closedReason) return SENT;
    return this.transport.send(response, { relatedRequestId: id }).catch((error: unknown) => this.respondFailed(response, id, error));
  }

  /** The response could not be sent (JSON cannot carry the result, say): the caller still gets an answer. */
  private async respondFailed(response: JsonRpcResponse, id: JsonRpcId, error: unknown): Promise<void> {
    this.options.onWarning?.(`could not send the response to request ${JSON.stringify(id)}: ${String(error)}`);
    if (isFailure(response) || this.closedReason) return;
    const fallback = new JsonRpcError(ErrorCode.InternalError, `Internal error: the result could not be sent: ${String(error)}`);
    await this.transport.send(fallback.toResponse(id), { relatedRequestId: id }).catch(() => undefined);
  }

  private handleClose(reason: Error | undefined): void {
    if (this.closedReason) return;
    const label = this.options.label ?? "peer";
    const error = new SwitchboardError(
      "CONNECTION_CLOSED",
      reason ? `connection to ${label} closed: ${reason.message}` : `connection to ${label} closed`,
      { cause: reason },
    );
    this.closedReason = error;
    this.pending.rejectAll(error);
    for (const cancellation of [...this.incoming.valuesInOrder()]) cancellation.cancel(error);
    this.incoming.clear();
    this.waiting.clear();
    this.onclose?.(error);
  }
}

/** True for a promise (of this realm or another) rather than a plain result. */
function isThenable(value: Promise<JsonObject> | JsonObject): value is Promise<JsonObject> {
  return typeof (value as { then?: unknown }).then === "function";
}

export { toJsonRpcError } from "./served-request.js";
