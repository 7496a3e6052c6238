import type { ServerResponse } from "node:http";
import type { JsonRpcId, JsonRpcMessage, JsonRpcResponse } from "../../jsonrpc/message.js";
import { serializeMessage } from "../../jsonrpc/serialize.js";
import { SENT, type SendOptions } from "../../jsonrpc/transport.js";
import { ErrorCode } from "../../jsonrpc/errors.js";
import { McpErrorCode } from "../../mcp/error-codes.js";
import { OutboundQueue } from "../../transport/outbound-queue.js";
import { SSE_HEADERS, SSE_KEEP_ALIVE, sseData } from "./sse.js";

/** How a modern exchange answers. */
export interface ModernExchangeOptions {
  /** The client accepts text/event-stream. */
  acceptsSse: boolean;
  /** Headers every answer carries (CORS). */
  headers: Record<string, string>;
  /** Bytes an SSE answer may hold for a slow reader before advisory messages are shed. */
  maxBufferedBytes?: number;
  /** Once the answer is a stream, an SSE comment every this many ms while it is quiet (long-lived answers: subscriptions/listen); 0 or absent: none. */
  keepAliveMs?: number;
}

/**
 * The HTTP status of a modern error answered as JSON: 400 for the modern
 * era's request errors (header mismatch, missing client capability,
 * unsupported version), 404 for an unknown method, else 200.
 */
export function statusOfError(code: number): number {
  if (code === McpErrorCode.HeaderMismatch || code === McpErrorCode.MissingRequiredClientCapability || code === McpErrorCode.UnsupportedProtocolVersion) return 400;
  if (code === ErrorCode.MethodNotFound) return 404;
  return 200;
}

/**
 * The headers of a JSON answer: `base` (CORS) with its type and length. A
 * copy, then sets: in V8 `{ ...base, newKey }` builds a hidden class per
 * object when `base` has keys (~2 µs measured with the three CORS headers, ~0.1 µs this way).
 */
function withHeaders(base: Record<string, string>, contentType: string, contentLength: string): Record<string, string> {
  const headers = Object.assign({}, base);
  headers["Content-Type"] = contentType;
  headers["Content-Length"] = contentLength;
  return headers;
}

/**
 * One modern (2026-07-28) POST: a single request and the response that
 * answers it, without session or resumption. It answers with one JSON body
 * when nothing is streamed first, else switches to an SSE stream scoped to
 * the request (notifications about it, then its response, then the end).
 * The response goes out under the id the client sent (the stateless
 * transport serves it under an id of its own). Closing the connection
 * cancels the request (the endpoint's job); nothing outlives it.
 */
export class ModernExchange {
  private readonly res: ServerResponse;
  private readonly options: ModernExchangeOptions;
  private queue: OutboundQueue | undefined;
  private keepAlive: ReturnType<typeof setInterval> | undefined;
  private finished = false;

  constructor(
    res: ServerResponse,
    /** The request's id as its client sent it. */
    readonly clientId: JsonRpcId,
    options: ModernExchangeOptions,
  ) {
    this.res = res;
    this.options = options;
  }

  /** True once nothing more can be delivered. */
  get done(): boolean {
    return this.finished || this.res.writableEnded || this.res.destroyed;
  }

  /** True once the response was written or queued (or the answer ended). */
  get answered(): boolean {
    return this.finished;
  }

  /** True once the answer is an SSE stream. */
  get streaming(): boolean {
    return this.queue !== undefined;
  }

  /** The response: under the client's id, as JSON (status by error code) or as the stream's last event. */
  respond(response: JsonRpcResponse): Promise<void> {
    if (this.done) return SENT;
    const message = { ...response, id: this.clientId } as JsonRpcResponse;
    const text = serializeMessage(message); // throws before any state changes when JSON cannot carry it
    this.finished = true;
    if (this.queue !== undefined) {
      const sent = this.queue.push(sseData(text));
      this.stop();
      return sent;
    }
    const status = "error" in message ? statusOfError(message.error.code) : 200;
    const body = typeof text === "string" ? text : text.toString();
    this.res.writeHead(status, withHeaders(this.options.headers, "application/json", String(Buffer.byteLength(body))));
    this.res.end(body);
    return SENT;
  }

  /** A notification about the request: opens the SSE stream if the client accepts one, else it is dropped. */
  notify(message: JsonRpcMessage, advisory?: SendOptions["advisory"]): Promise<void> {
    if (this.done || !this.options.acceptsSse) return SENT;
    return this.open().push(sseData(serializeMessage(message)), advisory);
  }

  /** Open the stream now and write an SSE comment every `intervalMs` while it is quiet (long-lived answers). */
  keepAliveEvery(intervalMs: number): void {
    if (this.done || !this.options.acceptsSse) return;
    const queue = this.open();
    if (intervalMs <= 0 || this.keepAlive !== undefined) return;
    this.keepAlive = setInterval(() => {
      if (!this.res.writableEnded && queue.idle) this.res.write(SSE_KEEP_ALIVE);
    }, intervalMs);
    this.keepAlive.unref();
  }

  /** End the answer now: the request was cancelled, or the server shuts down (an unanswered JSON exchange gets 503). */
  end(): void {
    if (this.done) return;
    this.finished = true;
    if (this.queue !== undefined) {
      this.stop();
      return;
    }
    this.res.writeHead(503, { ...this.options.headers, "Content-Type": "application/json" });
    this.res.end(JSON.stringify({ jsonrpc: "2.0", id: this.clientId, error: { code: ErrorCode.ServerError, message: "the server is shutting down; send the request again" } }));
  }

  private open(): OutboundQueue {
    if (this.queue !== undefined) return this.queue;
    this.res.writeHead(200, { ...this.options.headers, ...SSE_HEADERS });
    this.res.flushHeaders();
    const queue = new OutboundQueue(this.res, this.options.maxBufferedBytes === undefined ? {} : { maxBufferedBytes: this.options.maxBufferedBytes });
    this.queue = queue;
    if (this.options.keepAliveMs !== undefined && this.options.keepAliveMs > 0) this.keepAliveEvery(this.options.keepAliveMs);
    return queue;
  }

  private stop(): void {
    if (this.keepAlive !== undefined) clearInterval(this.keepAlive);
    this.keepAlive = undefined;
    this.queue?.end();
  }
}
