import type { ServerResponse } from "node:http";
import { DEFAULT_RESUME } from "../../config/defaults.js";
import type { HttpResumeConfig } from "../../config/types.js";
import type { WireText } from "../../jsonrpc/serialize.js";
import { SENT } from "../../jsonrpc/transport.js";
import { OutboundQueue, type ShedCount } from "../../transport/outbound-queue.js";
import { formatEventId, type StreamKind } from "./event-id.js";
import { ReplayBudget, ReplayLog, type EventWeight } from "./replay-log.js";
import { SSE_KEEP_ALIVE, sseDataWithId, ssePriming, sseRetry } from "./sse.js";

/** Interval of SSE comment lines on an idle standalone stream. */
export const KEEP_ALIVE_MS = 25_000;

/** Limits and timing of resumable streams (the config's `server.resume`; one object per front, shared). */
export type ResumeLimits = HttpResumeConfig;

/** Defaults of `ResumeLimits`. */
export const DEFAULT_RESUME_LIMITS: ResumeLimits = DEFAULT_RESUME;

/** How one stream is set up. */
export interface ResumableStreamOptions {
  kind: StreamKind;
  /** The stream's number within its session. */
  number: number;
  limits: ResumeLimits;
  /** The session's replay budget. */
  budget: ReplayBudget;
  /** The session negotiated 2025-11-25 or later: priming event, `retry`, SSE polling. */
  priming: boolean;
  /** Bytes a connection may hold for a slow reader before advisory events are shed (OutboundQueue). */
  maxBufferedBytes?: number;
  onShed?: (count: ShedCount) => void;
  /** The stream went unresumed for the window, or the session let go of it, with its work unfinished. */
  onExpire?: () => void;
  /** The stream is over: delivered, expired or ended. */
  onRelease?: () => void;
}

interface Connection {
  res: ServerResponse;
  queue: OutboundQueue;
  timers: Array<ReturnType<typeof setTimeout>>;
}

/**
 * One SSE stream of a session (the answer to one POST, or the standalone GET
 * stream), which outlives its connections. Every event gets an id; recent
 * events are kept in a bounded ReplayLog; while a connection is open they
 * are written through an OutboundQueue (which sheds advisory events for a
 * slow reader). When the connection drops before the stream is over, the
 * stream waits `windowMs` for its client to come back with `Last-Event-ID`
 * (events that arrive meanwhile are kept, within the bounds), then expires.
 * Once finished (its last response pushed), the stream ends as soon as a
 * connection has carried everything.
 */
export class ResumableStream {
  readonly kind: StreamKind;
  readonly number: number;
  private readonly limits: ResumeLimits;
  private readonly log: ReplayLog;
  private readonly priming: boolean;
  private readonly options: ResumableStreamOptions;
  private seq = 0;
  private connection: Connection | undefined;
  private expiry: ReturnType<typeof setTimeout> | undefined;
  private finishedAt = false;
  /** When the stream last lost its connection (for letting go of the oldest first). */
  detachedAt = 0;
  /** True once the stream is over. */
  released = false;

  constructor(options: ResumableStreamOptions) {
    this.options = options;
    this.kind = options.kind;
    this.number = options.number;
    this.limits = options.limits;
    this.priming = options.priming;
    this.log = new ReplayLog(options.limits.bufferBytes, options.budget);
  }

  /** True while a connection carries the stream. */
  get attached(): boolean {
    return this.connection !== undefined;
  }

  /** True once the last event was pushed. */
  get finished(): boolean {
    return this.finishedAt;
  }

  /** Bytes of events kept for replay. */
  get keptBytes(): number {
    return this.log.size;
  }

  /**
   * Carry the stream on `res` (its head already written): a fresh stream
   * (no `after`) starts with the priming event for 2025-11-25 sessions; a
   * resumed one gets every kept event after `after`. A connection already
   * carrying the stream is closed (the client came back on a new one).
   */
  attach(res: ServerResponse, after?: number): void {
    if (this.released) {
      res.end();
      return;
    }
    this.detachOld();
    if (this.expiry !== undefined) clearTimeout(this.expiry);
    this.expiry = undefined;
    const options = this.options.maxBufferedBytes === undefined ? {} : { maxBufferedBytes: this.options.maxBufferedBytes };
    const queue = new OutboundQueue(res, { ...options, ...(this.options.onShed === undefined ? {} : { onShed: this.options.onShed }) });
    const connection: Connection = { res, queue, timers: [] };
    this.connection = connection;
    res.once("close", () => this.lost(connection));
    if (after === undefined) {
      if (this.priming) queue.push(ssePriming(formatEventId(this.kind, this.number, 0), this.limits.retryMs));
    } else {
      if (this.priming) queue.push(sseRetry(this.limits.retryMs));
      for (const text of this.log.after(after)) queue.push(text);
    }
    if (this.finishedAt) {
      this.endConnection(connection);
      return;
    }
    if (this.kind === "standalone") {
      // A comment line now and then keeps proxies and load balancers from
      // closing a quiet stream; a stream that is not quiet needs none.
      const keepAlive = setInterval(() => {
        if (!res.writableEnded && queue.idle) res.write(SSE_KEEP_ALIVE);
      }, KEEP_ALIVE_MS);
      keepAlive.unref();
      connection.timers.push(keepAlive);
    }
    if (this.priming && this.limits.maxConnectionMs > 0) {
      // SSE polling: the client was told `retry` and holds an id; it comes back.
      const poll = setTimeout(() => this.endConnection(connection), this.limits.maxConnectionMs);
      poll.unref();
      connection.timers.push(poll);
    }
  }

  /**
   * One event: kept for replay and, while connected, written. Answers like
   * OutboundQueue.push (its drain promise while the connection is full).
   */
  push(json: WireText, weight: EventWeight, advisory?: { coalesceKey?: string }): Promise<void> {
    if (this.released) return SENT;
    const text = sseDataWithId(formatEventId(this.kind, this.number, ++this.seq), json);
    this.log.add(this.seq, text, weight);
    return this.connection === undefined ? SENT : this.connection.queue.push(text, weight === "advisory" ? (advisory ?? {}) : undefined);
  }

  /** No more events: the stream ends once a connection has carried them (at once when connected). */
  finish(): void {
    if (this.finishedAt || this.released) return;
    this.finishedAt = true;
    if (this.connection !== undefined) this.endConnection(this.connection);
  }

  /** End the stream now (session over, or let go of): its connection ends, its events are let go. */
  end(): void {
    if (this.released) return;
    const connection = this.connection;
    this.connection = undefined;
    if (connection !== undefined) this.endConnection(connection);
    this.release();
  }

  /** Let go of an unfinished stream without a connection (the session is over its bound): as if it expired. */
  expire(): void {
    if (this.released) return;
    const unfinished = !this.finishedAt;
    this.end();
    if (unfinished) this.options.onExpire?.();
  }

  private detachOld(): void {
    const old = this.connection;
    if (old === undefined) return;
    this.connection = undefined;
    this.endConnection(old);
  }

  /** Write what is queued and end the response; its 'close' follows. */
  private endConnection(connection: Connection): void {
    for (const timer of connection.timers) clearTimeout(timer);
    connection.queue.end();
  }

  /** A connection closed: the stream is over if it was finished, else it waits for its client. */
  private lost(connection: Connection): void {
    for (const timer of connection.timers) clearTimeout(timer);
    if (this.connection !== connection) return;
    this.connection = undefined;
    if (this.released) return;
    if (this.finishedAt) {
      this.release();
      return;
    }
    this.detachedAt = Date.now();
    this.expiry = setTimeout(() => this.expire(), this.limits.windowMs);
    this.expiry.unref();
  }

  private release(): void {
    if (this.released) return;
    this.released = true;
    if (this.expiry !== undefined) clearTimeout(this.expiry);
    this.expiry = undefined;
    this.log.clear();
    this.options.onRelease?.();
  }
}
