import { Cancellation } from "./cancellation.js";
import { ErrorCode, JsonRpcError } from "./errors.js";
import { SwitchboardError } from "./local-error.js";
import { isFailure, type JsonObject, type JsonRpcId, type JsonRpcNotification, type JsonRpcRequest, type JsonRpcResponse } from "./message.js";
import { DEFAULT_MAX_CONCURRENT_INCOMING, DEFAULT_MAX_QUEUED_INCOMING, type PeerOptions } from "./peer-options.js";
import { RequestQueue } from "./request-queue.js";
import { SlotMap } from "./slot-map.js";
import { ServedRequest, toJsonRpcError, type NotificationHandler, type RequestHandler } from "./served-request.js";
import { SENT, type SendOptions, type Transport } from "./transport.js";

/** What the incoming side needs of its peer (JsonRpcPeer is one). */
export interface IncomingHost {
  readonly transport: Transport;
  /** False once the connection closed: nothing more is answered or dequeued. */
  readonly isOpen: boolean;
  /** Send a notification (one a handler ties to the request it serves). */
  notify(method: string, params?: JsonObject, options?: SendOptions): Promise<void>;
}

/** Where the tag of one of our own requests is found while it waits for its answer (PendingRequests is one). */
export interface RequestTags {
  /** The `tag` our request `id` was sent with (RequestOptions.tag); undefined once answered or without one. */
  tagOf(id: JsonRpcId): unknown;
}

/**
 * The incoming side of a JSON-RPC peer: requests and notifications the
 * remote side sends us, dispatched to their handlers. At most
 * `maxConcurrentIncoming` requests are served at once (a slot is freed only
 * once the answer is written); more wait in arrival order up to
 * `maxQueuedIncoming`, beyond which input is paused (a transport that can)
 * or requests are answered "busy". Every request gets exactly one answer
 * unless it was cancelled or the connection closed.
 */
export class IncomingRequests {
  private readonly requestHandlers = new Map<string, RequestHandler>();
  private readonly notificationHandlers = new Map<string, NotificationHandler>();
  private fallback: RequestHandler | undefined;
  /** Requests being handled, by id (a SlotMap: see there why not a Map). */
  private readonly serving = new SlotMap<JsonRpcId, Cancellation>();
  /** Requests waiting for a slot, by id, in arrival order. */
  private readonly waiting = new RequestQueue();
  /** The related request id (MessageExtra) of waiting requests that have one. */
  private readonly waitingRelated = new WeakMap<JsonRpcRequest, JsonRpcId>();
  private readonly transport: Transport;
  private inputPaused = false;
  private active = 0;

  constructor(
    private readonly host: IncomingHost,
    private readonly tags: RequestTags,
    private readonly options: PeerOptions,
  ) {
    this.transport = host.transport;
  }

  /** Requests being handled (cancelled ones until their handler returns) or waiting for a slot. */
  get count(): number {
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

  /** A request arrived (`related`: see MessageExtra): served in a free slot, queued, or refused. */
  receiveRequest(request: JsonRpcRequest, related: JsonRpcId | undefined): void {
    const id = request.id;
    if (this.serving.has(id) || this.waiting.has(id)) {
      const error = new JsonRpcError(
        ErrorCode.InvalidRequest,
        `Invalid Request: id ${JSON.stringify(id)} is already in use by a request in progress; use a fresh id`,
      );
      void this.respond(error.toResponse(id), id);
    } else if (this.active < (this.options.maxConcurrentIncoming ?? DEFAULT_MAX_CONCURRENT_INCOMING)) {
      this.serveInSlot(request, related);
    } else {
      this.enqueue(request, related);
    }
  }

  /**
   * A notification arrived: its handler runs (with `relatedTag`, the tag of
   * our request on whose response stream it came); one that throws is
   * reported, never fatal.
   */
  receiveNotification(notification: JsonRpcNotification, relatedTag: unknown): void {
    const handler = this.notificationHandlers.get(notification.method);
    if (!handler) return;
    try {
      handler(notification.params, relatedTag);
    } catch (error) {
      this.options.onWarning?.(`handler for ${notification.method} failed: ${String(error)}`);
    }
  }

  /**
   * Abort a request (the caller cancelled it): its answer will not be sent,
   * its id is free again at once, and the transport is told. False when no
   * request with this id is served or waiting.
   */
  cancel(id: JsonRpcId, reason: string): boolean {
    if (this.waiting.remove(id)) {
      this.transport.abandon?.(id);
      this.resumeIfDrained();
      return true;
    }
    const cancellation = this.serving.get(id);
    if (!cancellation) return false;
    this.serving.delete(id);
    cancellation.cancel(new SwitchboardError("REQUEST_CANCELLED", reason));
    this.transport.abandon?.(id);
    return true;
  }

  /** The connection closed: every request being served is cancelled with `error`, the waiting ones dropped. */
  close(error: Error): void {
    for (const cancellation of [...this.serving.valuesInOrder()]) cancellation.cancel(error);
    this.serving.clear();
    this.waiting.clear();
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
    if (this.host.isOpen) this.transport.resumeInput?.();
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
    if (this.waiting.size === 0 || !this.host.isOpen) return;
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
    this.serving.set(id, cancellation);
    let outcome: Promise<JsonObject> | JsonObject;
    try {
      outcome = handler(
        new ServedRequest(id, request.method, request.params, cancellation, (method, params, options) =>
          this.host.notify(method, params, options?.advisory ? { relatedRequestId: id, advisory: options.advisory } : { relatedRequestId: id }),
          related,
          related === undefined ? undefined : this.tags.tagOf(related),
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
    if (this.serving.get(id) === cancellation) this.serving.delete(id);
    if (cancellation.cancelled) return SENT;
    return this.respond(response, id);
  }

  private respond(response: JsonRpcResponse, id: JsonRpcId): Promise<void> {
    if (!this.host.isOpen) return SENT;
    return this.transport.send(response, { relatedRequestId: id }).catch((error: unknown) => this.respondFailed(response, id, error));
  }

  /** The response could not be sent (JSON cannot carry the result, say): the caller still gets an answer. */
  private async respondFailed(response: JsonRpcResponse, id: JsonRpcId, error: unknown): Promise<void> {
    this.options.onWarning?.(`could not send the response to request ${JSON.stringify(id)}: ${String(error)}`);
    if (isFailure(response) || !this.host.isOpen) return;
    const fallback = new JsonRpcError(ErrorCode.InternalError, `Internal error: the result could not be sent: ${String(error)}`);
    await this.transport.send(fallback.toResponse(id), { relatedRequestId: id }).catch(() => undefined);
  }
}

/** True for a promise (of this realm or another) rather than a plain result. */
function isThenable(value: Promise<JsonObject> | JsonObject): value is Promise<JsonObject> {
  return typeof (value as { then?: unknown }).then === "function";
}
