import type { ServerResponse } from "node:http";
import { ErrorCode, JsonRpcError } from "../../jsonrpc/errors.js";
import { isResponse, type JsonRpcId, type JsonRpcMessage } from "../../jsonrpc/message.js";
import { joinWireTexts, serializeMessage, wireByteLength, type WireText } from "../../jsonrpc/serialize.js";
import { SENT, type SendOptions } from "../../jsonrpc/transport.js";
import type { ShedCount } from "../../transport/outbound-queue.js";
import { ReplayBudget } from "./replay-log.js";
import { DEFAULT_RESUME_LIMITS, ResumableStream } from "./resumable-stream.js";
import { SSE_HEADERS } from "./sse.js";

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
  /**
   * Bytes an SSE answer may hold for a slow reader before advisory messages
   * (progress) are coalesced or dropped (default 2 MiB).
   */
  maxBufferedBytes?: number;
  /**
   * Bytes a batch's JSON answer may take (default 64 MiB): an answer that
   * would pass it is replaced by a -32603 error (same id) telling the client
   * to send that request on its own.
   */
  maxBatchResponseBytes?: number;
  /**
   * Makes the resumable stream the exchange switches to (the session numbers
   * and bounds it); without it the stream stands alone: ids, no priming.
   */
  openStream?: (hooks: StreamHooks) => ResumableStream;
}

/** What an exchange's stream tells it. */
export interface StreamHooks {
  onShed: (count: ShedCount) => void;
  /** The stream expired with requests unanswered: their client did not come back. */
  onExpire: () => void;
}

/** Default of `maxBatchResponseBytes`. */
export const DEFAULT_MAX_BATCH_RESPONSE_BYTES = 64 * 1024 * 1024;

/**
 * One POST that carried requests, and the HTTP response that must answer
 * them. It answers with one JSON body when nothing is streamed first, and
 * switches to a request-scoped SSE stream when a notification about one of
 * its requests comes before the result (and the client accepts SSE). The
 * stream is a ResumableStream: its events carry ids, it outlives a dropped
 * connection for a while (the client resumes it with GET + Last-Event-ID),
 * and each connection is written through an OutboundQueue: a reader that
 * does not keep up gets the newest progress, not all of it, and never holds
 * more than about `maxBufferedBytes` of it in memory.
 */
export class Exchange {
  private readonly res: ServerResponse;
  private readonly waiting: Set<JsonRpcId>;
  private readonly batch: boolean;
  private readonly acceptsSse: boolean;
  private readonly headers: Record<string, string>;
  /** Serialised answers held until the last one arrives (JSON mode). */
  private readonly buffered: WireText[] = [];
  /** The SSE stream, once the exchange switched to it. */
  private stream: ResumableStream | undefined;
  private finished = false;
  private readonly sessionId: (() => string | undefined) | undefined;
  private readonly maxBufferedBytes: number | undefined;
  private readonly maxBatchBytes: number;
  private readonly makeStream: ((hooks: StreamHooks) => ResumableStream) | undefined;
  /** Bytes of the batch answer so far (JSON mode). */
  private batchBytes = 0;
  /** Told once per episode in which advisory messages were shed for a slow reader. */
  onShed?: (count: ShedCount) => void;
  /** Told when the stream expired with these requests unanswered (their client did not resume it). */
  onExpire?: (pending: JsonRpcId[]) => void;

  constructor(res: ServerResponse, ids: JsonRpcId[], options: ExchangeOptions) {
    this.res = res;
    this.waiting = new Set(ids);
    this.batch = options.batch;
    this.acceptsSse = options.acceptsSse;
    this.headers = options.headers;
    this.sessionId = options.sessionId;
    this.maxBufferedBytes = options.maxBufferedBytes;
    this.maxBatchBytes = options.maxBatchResponseBytes ?? DEFAULT_MAX_BATCH_RESPONSE_BYTES;
    this.makeStream = options.openStream;
  }

  private head(extra: Record<string, string>): Record<string, string> {
    const id = this.sessionId?.();
    return id === undefined ? { ...this.headers, ...extra } : { ...this.headers, ...extra, "Mcp-Session-Id": id };
  }

  /** Request ids this exchange still waits for. */
  get pendingIds(): JsonRpcId[] {
    return [...this.waiting];
  }

  /**
   * True once nothing more can be delivered: the answer is complete, the
   * client went away before a stream began, or the stream is over.
   */
  get done(): boolean {
    if (this.stream !== undefined) return this.finished || this.stream.released;
    return this.finished || this.res.writableEnded || this.res.destroyed;
  }

  /** True once the exchange answers on a resumable stream (a dropped connection is not the end). */
  get streaming(): boolean {
    return this.stream !== undefined;
  }

  /**
   * Deliver a message that belongs to this exchange: undefined when it
   * could not be (not ours, or no stream allowed), else a promise that
   * settles once it is written or queued (the stream's drain while full).
   * Throws when JSON cannot carry the message, before any state changes.
   * (Synchronous in the common case: every answer passes here.)
   */
  deliver(message: JsonRpcMessage, advisory?: SendOptions["advisory"]): Promise<void> | undefined {
    if (this.done) return undefined;
    const text = serializeMessage(message);
    if (isResponse(message)) {
      const id = message.id;
      if (this.stream !== undefined) {
        if (id === null || !this.waiting.delete(id)) return undefined;
        const sent = this.stream.push(text, "response");
        if (this.waiting.size === 0) this.finishStream();
        return sent;
      }
      if (id === null || !this.waiting.delete(id)) return undefined;
      this.buffered.push(this.batch ? this.withinBatchBound(id, text) : text);
      if (this.waiting.size === 0) this.finishJson();
      return SENT;
    }
    // A notification or request about one of our requests: stream it if we may.
    if (!this.acceptsSse) return undefined;
    return (this.stream ?? this.openStream()).push(text, advisory === undefined ? "message" : "advisory", advisory);
  }

  /**
   * The request `id` will get no answer (its client cancelled it): stop
   * waiting for it. Once nothing more is awaited the response ends: an SSE
   * stream ends; a JSON answer sends what it holds (a batch's other
   * answers) or, holding nothing, 202 Accepted with no body (the official
   * SDK client's send() resolves quietly on a 202).
   */
  abandon(id: JsonRpcId): void {
    if (!this.waiting.delete(id) || this.waiting.size > 0 || this.done) return;
    if (this.stream !== undefined) this.finishStream();
    else if (this.buffered.length > 0) this.finishJson();
    else {
      this.finished = true;
      this.res.writeHead(202, this.head({}));
      this.res.end();
    }
  }

  /** End the response now (session closed, shutdown). */
  end(): void {
    if (this.done) return;
    if (!this.res.headersSent) {
      this.finished = true;
      this.res.writeHead(503, { ...this.headers, "Content-Type": "application/json" });
      this.res.end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32000, message: "the session ended before the request was answered" } }));
      return;
    }
    this.finished = true;
    if (this.stream !== undefined) this.stream.end();
    else this.res.end();
  }

  private openStream(): ResumableStream {
    const hooks: StreamHooks = {
      onShed: (count) => this.onShed?.(count),
      onExpire: () => {
        const pending = this.pendingIds;
        this.waiting.clear();
        if (pending.length > 0) this.onExpire?.(pending);
      },
    };
    const stream = this.makeStream?.(hooks) ?? this.standaloneStream(hooks);
    this.stream = stream;
    this.res.writeHead(200, this.head(SSE_HEADERS));
    this.res.flushHeaders();
    stream.attach(this.res);
    for (const text of this.buffered.splice(0)) stream.push(text, "response");
    return stream;
  }

  /** A stream of its own, for an exchange outside any session transport (tests, embedders). */
  private standaloneStream(hooks: StreamHooks): ResumableStream {
    const limits = DEFAULT_RESUME_LIMITS;
    return new ResumableStream({
      kind: "request",
      number: 1,
      limits,
      budget: new ReplayBudget(limits.sessionBufferBytes),
      priming: false,
      ...(this.maxBufferedBytes === undefined ? {} : { maxBufferedBytes: this.maxBufferedBytes }),
      onShed: hooks.onShed,
      onExpire: hooks.onExpire,
    });
  }

  private finishStream(): void {
    this.finished = true;
    this.stream!.finish();
  }

  /**
   * A batch's answer is bounded: beyond `maxBatchResponseBytes` an answer is
   * replaced by an error saying so (joined answers of a big catalog once
   * passed V8's string limit, and the batch got no answer at all).
   */
  private withinBatchBound(id: JsonRpcId, text: WireText): WireText {
    const size = wireByteLength(text) + 1;
    if (this.batchBytes + size <= this.maxBatchBytes) {
      this.batchBytes += size;
      return text;
    }
    const error = new JsonRpcError(
      ErrorCode.InternalError,
      `Internal error: this answer would make the batch's answer exceed ${this.maxBatchBytes} bytes; send this request separately (or fewer requests per batch)`,
      { limitBytes: this.maxBatchBytes, answerBytes: size - 1 },
    );
    // Not counted: errors are small, one per request of a body already bounded.
    return JSON.stringify(error.toResponse(id));
  }

  private finishJson(): void {
    this.finished = true;
    const single = this.batch ? undefined : this.buffered[0]!;
    if (typeof single === "string") {
      // With a length the body goes out in one piece (no chunked framing).
      this.res.writeHead(200, this.head({ "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(single)) }));
      this.res.end(single);
      return;
    }
    // A batch, or an answer around a shared body: written as pieces, never
    // joined (a shared catalog is not copied), with their total as the length.
    const pieces = single === undefined ? joinWireTexts(this.buffered, "[", ",", "]") : [single.head, single.body, single.tail];
    let length = 0;
    for (const piece of pieces) length += typeof piece === "string" ? Buffer.byteLength(piece) : piece.length;
    this.res.writeHead(200, this.head({ "Content-Type": "application/json", "Content-Length": String(length) }));
    for (const piece of pieces) this.res.write(piece);
    this.res.end();
  }
}
