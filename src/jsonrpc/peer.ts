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
import { PendingRequests } from "./pending-requests.js";
import { SENT, type SendOptions, type Transport } from "./transport.js";

/** Default time a request waits for its response. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

/** What a request handler knows about the request it serves. */
export interface IncomingRequest {
  id: JsonRpcId;
  method: string;
  params: JsonObject | undefined;
  /** Aborted when the caller cancels the request or the connection closes (made on first use). */
  readonly signal: AbortSignal;
  /** The same as `signal`, cheaper: what the gateway passes on to backends. */
  cancellation: Cancellation;
  /** Send a notification tied to this request (progress, logs); `advisory` ones may be coalesced or dropped for a slow reader. */
  notify(method: string, params?: JsonObject, options?: NotifyOptions): Promise<void>;
}

/**
 * The IncomingRequest a handler gets. A class, not an object literal with a
 * getter: a literal with `get signal()` makes V8 build a new hidden class per
 * request (the getter closure is part of it), and those classes and closures
 * outlived young-generation collections: ~240 bytes promoted per request and
 * regular full collections under load.
 */
class ServedRequest implements IncomingRequest {
  constructor(
    readonly id: JsonRpcId,
    readonly method: string,
    readonly params: JsonObject | undefined,
    readonly cancellation: Cancellation,
    readonly notify: (method: string, params?: JsonObject, options?: NotifyOptions) => Promise<void>,
  ) {}

  get signal(): AbortSignal {
    return this.cancellation.signal;
  }
}

/** Options of a notification about an incoming request. */
export type NotifyOptions = Pick<SendOptions, "advisory">;

/** Serves one request method. Throw a JsonRpcError to answer with that error. */
export type RequestHandler = (request: IncomingRequest) => Promise<JsonObject> | JsonObject;
/** Receives one notification method. */
export type NotificationHandler = (params: JsonObject | undefined) => void;

/** Options for one outgoing request. */
export interface RequestOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  cancellation?: Cancellation;
  /** Tie the request to an incoming one (Streamable HTTP routes by it). */
  relatedRequestId?: JsonRpcId;
}

/** Peer options; every limit has a default. */
export interface PeerOptions {
  /** Who the remote side is, for error messages (`backend "time"`). */
  label?: string;
  requestTimeoutMs?: number;
  /** Answer invalid input with error responses (the server side of a front does). */
  answerInvalid?: boolean;
  /** Called when an outgoing request is abandoned (timeout or abort), to tell the remote side. */
  onAbandon?: (id: JsonRpcId, reason: string) => void;
  /** Non-fatal protocol trouble worth a log line. */
  onWarning?: (message: string) => void;
  /**
   * Incoming requests handled at once; more wait in arrival order. A slot is
   * freed only once the response is written, so a client that stops reading
   * holds at most this many responses in memory (default 128).
   */
  maxConcurrentIncoming?: number;
}

/** Default of `maxConcurrentIncoming`. */
export const DEFAULT_MAX_CONCURRENT_INCOMING = 128;

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
  private readonly incoming = new Map<JsonRpcId, Cancellation>();
  private readonly waiting: JsonRpcRequest[] = [];
  private active = 0;
  private fallback: RequestHandler | undefined;
  private closedReason: Error | undefined;
  /** Called once when the connection is gone, after pending requests were rejected. */
  onclose?: (reason: Error) => void;

  constructor(transport: Transport, options: PeerOptions = {}) {
    this.transport = transport;
    this.options = options;
    this.pending = new PendingRequests(options.label ?? "peer");
    transport.onmessage = (message) => this.receive(message);
    transport.oninvalid = (error, id) => this.receiveInvalid(error, id);
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

  /** Incoming requests being handled or waiting for a slot. */
  get incomingCount(): number {
    return this.incoming.size + this.waiting.length;
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
    const { id, promise } = this.pending.add(method, timeoutMs, options, (abandonedId, reason) =>
      this.options.onAbandon?.(abandonedId, reason),
    );
    const message: JsonRpcRequest =
      params === undefined ? { jsonrpc: "2.0", id, method } : { jsonrpc: "2.0", id, method, params };
    const sendOptions: SendOptions | undefined =
      options.relatedRequestId === undefined ? undefined : { relatedRequestId: options.relatedRequestId };
    this.transport.send(message, sendOptions).catch((error: unknown) => {
      this.pending.reject(
        id,
        new SwitchboardError("CONNECTION_CLOSED", `could not send ${method} to ${this.options.label ?? "peer"}: ${String(error)}`, {
          cause: error,
        }),
      );
    });
    return promise;
  }

  /** Send a notification. */
  async notify(method: string, params?: JsonObject, options?: SendOptions): Promise<void> {
    if (this.closedReason) return;
    const message: JsonRpcNotification = params === undefined ? { jsonrpc: "2.0", method } : { jsonrpc: "2.0", method, params };
    await this.transport.send(message, options);
  }

  /** Abort an incoming request (the caller cancelled it); its response will not be sent. */
  cancelIncoming(id: JsonRpcId, reason: string): boolean {
    const queued = this.waiting.findIndex((request) => request.id === id);
    if (queued !== -1) {
      this.waiting.splice(queued, 1);
      return true;
    }
    const cancellation = this.incoming.get(id);
    if (!cancellation) return false;
    cancellation.cancel(new SwitchboardError("REQUEST_CANCELLED", reason));
    return true;
  }

  /** Close the connection: every pending request is rejected. */
  async close(): Promise<void> {
    if (this.closedReason) return;
    await this.transport.close();
    // Transports call onclose; make sure it happened even if one did not.
    this.handleClose(undefined);
  }

  private receive(message: JsonRpcMessage): void {
    if (isRequest(message)) {
      if (this.active >= (this.options.maxConcurrentIncoming ?? DEFAULT_MAX_CONCURRENT_INCOMING)) this.waiting.push(message);
      else this.serveInSlot(message);
    } else if (isNotification(message)) {
      const handler = this.notificationHandlers.get(message.method);
      if (!handler) return;
      try {
        handler(message.params);
      } catch (error) {
        this.options.onWarning?.(`handler for ${message.method} failed: ${String(error)}`);
      }
    } else {
      this.settle(message);
    }
  }

  private settle(response: JsonRpcResponse): void {
    const id = response.id;
    const outcome = isFailure(response)
      ? this.pending.reject(id, JsonRpcError.fromObject(response.error))
      : this.pending.resolve(response.id, response.result);
    if (!outcome && id !== null) {
      this.options.onWarning?.(`dropped a response from ${this.options.label ?? "peer"} to unknown or abandoned request id ${JSON.stringify(id)}`);
    } else if (!outcome) {
      const text = isFailure(response) ? response.error.message : "result";
      this.options.onWarning?.(`${this.options.label ?? "peer"} sent an error without an id: ${text}`);
    }
  }

  private receiveInvalid(error: JsonRpcError, id: JsonRpcId | null): void {
    if (this.options.answerInvalid) {
      this.transport.send(error.toResponse(id)).catch(() => undefined);
    }
    this.options.onWarning?.(`invalid message from ${this.options.label ?? "peer"} skipped: ${error.message}`);
  }

  private serveInSlot(request: JsonRpcRequest): void {
    this.active++;
    // serve() turns every failure into an error response; should it still
    // reject, the slot is freed all the same and the failure is reported.
    void this.serve(request).then(this.freeSlot, this.servedWithFailure);
  }

  private readonly servedWithFailure = (error: unknown): void => {
    this.options.onWarning?.(`serving a request failed unexpectedly: ${String(error)}`);
    this.freeSlot();
  };

  /** A response was written: the next queued request gets the slot. */
  private readonly freeSlot = (): void => {
    this.active--;
    const next = this.waiting.shift();
    if (next && this.isOpen) this.serveInSlot(next);
  };

  /**
   * Serve one request: never rejects, every failure becomes an error
   * response. Promise chains, not an async function: every request of every
   * client passes here.
   */
  private serve(request: JsonRpcRequest): Promise<void> {
    const id = request.id;
    if (this.incoming.has(id) || (this.waiting.length > 0 && this.waiting.some((queued) => queued.id === id))) {
      const error = new JsonRpcError(
        ErrorCode.InvalidRequest,
        `Invalid Request: id ${JSON.stringify(id)} is already in use by a request in progress; use a fresh id`,
      );
      return this.respond(error.toResponse(id), id);
    }
    const handler = this.requestHandlers.get(request.method) ?? this.fallback;
    if (!handler) {
      const error = new JsonRpcError(ErrorCode.MethodNotFound, `Method not found: ${request.method}`);
      return this.respond(error.toResponse(id), id);
    }
    const cancellation = new Cancellation();
    this.incoming.set(id, cancellation);
    let outcome: Promise<JsonObject> | JsonObject;
    try {
      outcome = handler(
        new ServedRequest(id, request.method, request.params, cancellation, (method, params, options) =>
          this.notify(method, params, options?.advisory ? { relatedRequestId: id, advisory: options.advisory } : { relatedRequestId: id }),
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
    this.incoming.delete(id);
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
    for (const cancellation of this.incoming.values()) cancellation.cancel(error);
    this.incoming.clear();
    this.waiting.length = 0;
    this.onclose?.(error);
  }
}

/** True for a promise (of this realm or another) rather than a plain result. */
function isThenable(value: Promise<JsonObject> | JsonObject): value is Promise<JsonObject> {
  return typeof (value as { then?: unknown }).then === "function";
}

/** Turn anything thrown by a handler into a wire error without leaking internals. */
export function toJsonRpcError(error: unknown): JsonRpcError {
  if (error instanceof JsonRpcError) return error;
  if (error instanceof SwitchboardError) return new JsonRpcError(ErrorCode.InternalError, error.message, { code: error.code });
  const message = error instanceof Error ? error.message : String(error);
  return new JsonRpcError(ErrorCode.InternalError, `Internal error: ${message}`);
}
