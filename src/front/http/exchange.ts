import type { ServerResponse } from "node:http";
import { isResponse, type JsonRpcId, type JsonRpcMessage } from "../../jsonrpc/message.js";
import { stringifyMessage } from "../../jsonrpc/serialize.js";
import { SSE_HEADERS, sseData, writeWithBackpressure } from "./sse.js";

/** How an exchange answers. */
export interface ExchangeOptions {
  /** The POST was a batch: answer with an array. */
  batch: boolean;
  /** The client accepts text/event-stream. */
  acceptsSse: boolean;
  /** Headers every answer carries (CORS). */
  headers: Record<string, string>;
  /**
   * For an initialize exchange: the id to announce in Mcp-Session-Id, asked
   * when the head is written, so a failed initialize announces no session.
   */
  sessionId?: () => string | undefined;
}

/**
 * One POST that carried requests, and the HTTP response that must answer
 * them. It answers with one JSON body when nothing is streamed first, and
 * switches to a request-scoped SSE stream when a notification about one of
 * its requests comes before the result (and the client accepts SSE).
 */
export class Exchange {
  private readonly res: ServerResponse;
  private readonly waiting: Set<JsonRpcId>;
  private readonly batch: boolean;
  private readonly acceptsSse: boolean;
  private readonly headers: Record<string, string>;
  /** Serialised answers held until the last one arrives (JSON mode). */
  private readonly buffered: string[] = [];
  private mode: "json" | "sse" = "json";
  private finished = false;

  private readonly sessionId: (() => string | undefined) | undefined;

  constructor(res: ServerResponse, ids: JsonRpcId[], options: ExchangeOptions) {
    this.res = res;
    this.waiting = new Set(ids);
    this.batch = options.batch;
    this.acceptsSse = options.acceptsSse;
    this.headers = options.headers;
    this.sessionId = options.sessionId;
  }

  private head(extra: Record<string, string>): Record<string, string> {
    const id = this.sessionId?.();
    return id === undefined ? { ...this.headers, ...extra } : { ...this.headers, ...extra, "Mcp-Session-Id": id };
  }

  /** Request ids this exchange still waits for. */
  get pendingIds(): JsonRpcId[] {
    return [...this.waiting];
  }

  /** True once the HTTP response is complete (or the client went away). */
  get done(): boolean {
    return this.finished || this.res.writableEnded || this.res.destroyed;
  }

  /**
   * Deliver a message that belongs to this exchange: true when delivered,
   * false when it could not be, a promise when it waits for room on the
   * stream. Throws when JSON cannot carry the message, before any state
   * changes. (Synchronous in the common case: every answer passes here.)
   */
  deliver(message: JsonRpcMessage): boolean | Promise<boolean> {
    if (this.done) return false;
    const text = stringifyMessage(message);
    if (isResponse(message)) {
      if (message.id === null || !this.waiting.delete(message.id)) return false;
      if (this.mode === "sse") {
        return writeWithBackpressure(this.res, sseData(text)).then(() => {
          if (this.waiting.size === 0) this.end();
          return true;
        });
      }
      this.buffered.push(text);
      if (this.waiting.size === 0) this.finishJson();
      return true;
    }
    // A notification or request about one of our requests: stream it if we may.
    if (!this.acceptsSse) return false;
    if (this.mode === "json") this.openStream();
    return writeWithBackpressure(this.res, sseData(text)).then(() => true);
  }

  /** End the response now (session closed, shutdown). */
  end(): void {
    if (this.done) return;
    this.finished = true;
    if (!this.res.headersSent) {
      this.res.writeHead(503, { ...this.headers, "Content-Type": "application/json" });
      this.res.end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32000, message: "the session ended before the request was answered" } }));
      return;
    }
    this.res.end();
  }

  private openStream(): void {
    this.mode = "sse";
    this.res.writeHead(200, this.head(SSE_HEADERS));
    this.res.flushHeaders();
    for (const text of this.buffered.splice(0)) this.res.write(sseData(text));
  }

  private finishJson(): void {
    this.finished = true;
    const body = this.batch ? `[${this.buffered.join(",")}]` : this.buffered[0]!;
    // With a length the body goes out in one piece (no chunked framing).
    this.res.writeHead(200, this.head({ "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(body)) }));
    this.res.end(body);
  }
}
