import { JsonRpcError } from "./errors.js";
import { IncomingRequests } from "./incoming-requests.js";
import { SwitchboardError } from "./local-error.js";
import {
  isNotification,
  isRequest,
  type JsonObject,
  type JsonRpcId,
  type JsonRpcMessage,
  type JsonRpcNotification,
  type JsonRpcRequest,
} from "./message.js";
import { DEFAULT_REQUEST_TIMEOUT_MS, type PeerOptions, type RequestOptions } from "./peer-options.js";
import { PendingRequests } from "./pending-requests.js";
import { sendFailure } from "./send-failure.js";
import type { NotificationHandler, RequestHandler } from "./served-request.js";
import type { SendOptions, Transport } from "./transport.js";

export type { IncomingRequest, NotificationHandler, NotifyOptions, RequestHandler } from "./served-request.js";
export { DEFAULT_MAX_CONCURRENT_INCOMING, DEFAULT_MAX_QUEUED_INCOMING, DEFAULT_REQUEST_TIMEOUT_MS } from "./peer-options.js";
export type { PeerOptions, RequestOptions } from "./peer-options.js";

/**
 * A JSON-RPC 2.0 endpoint on top of a transport: allocates ids, keeps the
 * pending-request map with timeouts, dispatches incoming requests and
 * notifications (IncomingRequests, incoming-requests.ts), and rejects
 * everything pending when the connection closes.
 */
export class JsonRpcPeer {
  readonly transport: Transport;
  private readonly options: PeerOptions;
  /** Our requests awaiting their answers. */
  private readonly pending: PendingRequests;
  /** What the remote side sends us: handlers, slots, the waiting queue. */
  private readonly incoming: IncomingRequests;
  private closedReason: Error | undefined;
  /** Called once when the connection is gone, after pending requests were rejected. */
  onclose?: (reason: Error) => void;

  constructor(transport: Transport, options: PeerOptions = {}) {
    this.transport = transport;
    this.options = options;
    this.pending = new PendingRequests(options.label ?? "peer");
    this.incoming = new IncomingRequests(this, this.pending, options);
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
    return this.incoming.count;
  }

  /** Serve `method` with `handler`. */
  setRequestHandler(method: string, handler: RequestHandler): void {
    this.incoming.setRequestHandler(method, handler);
  }

  /** Serve every request method without a handler of its own. */
  setFallbackRequestHandler(handler: RequestHandler): void {
    this.incoming.setFallbackRequestHandler(handler);
  }

  /** Receive `method` notifications with `handler`. */
  setNotificationHandler(method: string, handler: NotificationHandler): void {
    this.incoming.setNotificationHandler(method, handler);
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
    return this.incoming.cancel(id, reason);
  }

  /** Close the connection: every pending request is rejected. */
  async close(): Promise<void> {
    if (this.closedReason) return;
    await this.transport.close();
    // Transports call onclose; make sure it happened even if one did not.
    this.handleClose(undefined);
  }

  private receive(message: JsonRpcMessage, related: JsonRpcId | undefined): void {
    if (isRequest(message)) this.incoming.receiveRequest(message, related);
    else if (isNotification(message)) this.incoming.receiveNotification(message, related === undefined ? undefined : this.pending.tagOf(related));
    else this.pending.settleResponse(message, this.options.onWarning);
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
    this.incoming.close(error);
    this.onclose?.(error);
  }
}

export { toJsonRpcError } from "./served-request.js";
