import type { ServerResponse } from "node:http";
import { isResponse, type JsonRpcId, type JsonRpcMessage } from "../../jsonrpc/message.js";
import { SENT, type SendOptions, type Transport } from "../../jsonrpc/transport.js";
import { serializeMessage, type WireText } from "../../jsonrpc/serialize.js";
import { SlotMap } from "../../jsonrpc/slot-map.js";
import type { ShedCount } from "../../transport/outbound-queue.js";
import { parseEventId } from "./event-id.js";
import type { Exchange, StreamHooks } from "./exchange.js";
import { ReplayBudget } from "./replay-log.js";
import { DEFAULT_RESUME_LIMITS, ResumableStream, type ResumeLimits } from "./resumable-stream.js";

export { KEEP_ALIVE_MS } from "./resumable-stream.js";

/** Options of a session transport. */
export interface SessionTransportOptions {
  /**
   * Bytes a connection may hold for a slow reader before advisory messages
   * are coalesced or dropped (default 2 MiB).
   */
  maxBufferedBytes?: number;
  /** Bounds and timing of resumable streams (defaults: DEFAULT_RESUME_LIMITS). */
  resume?: ResumeLimits;
  /** True when the session negotiated 2025-11-25 or later (priming events, `retry`, polling). */
  primes?: () => boolean;
}

/** Where a GET goes: a stream to carry (resumed after `after`, or fresh), or a refusal. */
export type GetTarget = { stream: ResumableStream; after?: number } | { refusal: { status: number; message: string } };

/**
 * The transport of one Streamable HTTP session. Incoming messages arrive by
 * POST; outgoing ones go to the exchange of the request they belong to, or
 * to the session's standalone (GET) stream when they belong to none. Streams
 * are resumable: the transport keeps those a client may come back to, finds
 * them by `Last-Event-ID`, and bounds what they keep together.
 */
export class SessionTransport implements Transport {
  onmessage?: Transport["onmessage"];
  oninvalid?: Transport["oninvalid"];
  onerror?: Transport["onerror"];
  onclose?: Transport["onclose"];

  /** Exchanges by the ids of the requests they wait for (a SlotMap: see there why not a Map). */
  private readonly exchanges = new SlotMap<JsonRpcId, Exchange>();
  private readonly maxBufferedBytes: number | undefined;
  private readonly limits: ResumeLimits;
  private readonly primes: () => boolean;
  private readonly budget: ReplayBudget;
  /** Request streams a client may still read or resume, by number. */
  private readonly streams = new Map<number, ResumableStream>();
  private standalone: ResumableStream | undefined;
  private nextStream = 1;
  private closed = false;
  /** Messages that had nowhere to go (no standalone stream). */
  dropped = 0;

  constructor(options: SessionTransportOptions = {}) {
    this.maxBufferedBytes = options.maxBufferedBytes;
    this.limits = options.resume ?? DEFAULT_RESUME_LIMITS;
    this.primes = options.primes ?? (() => false);
    this.budget = new ReplayBudget(this.limits.sessionBufferBytes);
    this.budget.onOver = this.overBudget;
  }

  async start(): Promise<void> {}

  /** Hand an incoming message to the peer. */
  receive(message: JsonRpcMessage): void {
    if (!this.closed) this.onmessage?.(message);
  }

  /** Route the answers to these request ids to `exchange`. */
  attach(ids: JsonRpcId[], exchange: Exchange): void {
    for (const id of ids) this.exchanges.set(id, exchange);
    exchange.onShed = this.onShed;
  }

  /** True while a request with this id waits for its answer. */
  isAwaiting(id: JsonRpcId): boolean {
    return this.exchanges.has(id);
  }

  /** Forget an exchange's ids (its client went away). */
  detach(ids: JsonRpcId[]): void {
    for (const id of ids) this.exchanges.delete(id);
  }

  /**
   * The request `id` will get no response (its client cancelled it): its
   * exchange stops waiting for it, and ends once it waits for nothing more.
   * The id is free again.
   */
  abandon(id: JsonRpcId): void {
    const exchange = this.exchanges.get(id);
    if (exchange === undefined) return;
    this.exchanges.delete(id);
    exchange.abandon(id);
  }

  /** True while a connection carries the standalone stream. */
  get hasStream(): boolean {
    return this.standalone?.attached === true;
  }

  /** Bytes the session's streams keep for replay. */
  get keptBytes(): number {
    return this.budget.used;
  }

  /** Number of streams the session keeps (request streams and the standalone one). */
  get streamCount(): number {
    return this.streams.size + (this.standalone === undefined ? 0 : 1);
  }

  /** A new request stream for an exchange that switches to SSE. */
  readonly openRequestStream = (hooks: StreamHooks): ResumableStream => {
    const stream = this.newStream("request", hooks.onShed, hooks.onExpire);
    this.streams.set(stream.number, stream);
    return stream;
  };

  /**
   * Where a GET goes. Without `Last-Event-ID`, or with the id of a
   * standalone stream the session no longer keeps: a fresh standalone
   * stream (409 while one is connected). With the id of a stream the
   * session keeps: that stream, from after that event (a connection still
   * carrying it is closed). With the id of a request stream that is over,
   * or an id this front never gave out: 400, saying so.
   */
  streamForGet(lastEventId: string | undefined): GetTarget {
    if (lastEventId !== undefined && lastEventId !== "") {
      const id = parseEventId(lastEventId);
      if (id === undefined) {
        return { refusal: { status: 400, message: `Bad Request: Last-Event-ID ${JSON.stringify(lastEventId)} is not an event id of this server; reconnect without it for a fresh stream` } };
      }
      const stream = id.kind === "request" ? this.streams.get(id.stream) : this.standalone?.number === id.stream ? this.standalone : undefined;
      if (stream !== undefined && !stream.released) return { stream, after: id.seq };
      if (id.kind === "request") {
        return {
          refusal: {
            status: 400,
            message: `Bad Request: the stream of event ${JSON.stringify(lastEventId)} is over (answered and delivered, or not resumed within ${this.limits.windowMs} ms), so its events cannot be replayed; send the request again if its answer was lost`,
          },
        };
      }
    }
    if (this.standalone?.attached === true) {
      return { refusal: { status: 409, message: "Conflict: this session already has an open GET stream; close it first" } };
    }
    this.standalone?.end();
    const stream = this.newStream("standalone", this.onShed, () => undefined);
    this.standalone = stream;
    return { stream };
  }

  /** Use `res` (its head written) as a fresh standalone stream. */
  openStream(res: ServerResponse): void {
    const target = this.streamForGet(undefined);
    if ("stream" in target) target.stream.attach(res);
  }

  private newStream(kind: "request" | "standalone", onShed: (count: ShedCount) => void, onExpire: () => void): ResumableStream {
    const number = this.nextStream++;
    const stream: ResumableStream = new ResumableStream({
      kind,
      number,
      limits: this.limits,
      budget: this.budget,
      priming: this.primes(),
      ...(this.maxBufferedBytes === undefined ? {} : { maxBufferedBytes: this.maxBufferedBytes }),
      onShed,
      onExpire,
      onRelease: () => {
        if (this.streams.get(number) === stream) this.streams.delete(number);
        if (this.standalone === stream) this.standalone = undefined;
      },
    });
    return stream;
  }

  /**
   * The session's streams keep more than `sessionBufferBytes`, responses
   * alone: let go of the streams without a connection, longest unresumed
   * first (their clients did not come back for them).
   */
  private readonly overBudget = (): void => {
    const waiting = [...this.streams.values()].filter((s) => !s.attached).sort((a, b) => a.detachedAt - b.detachedAt);
    for (const stream of waiting) {
      if (!this.budget.over) return;
      stream.expire();
    }
  };

  /** Not an async function: every answer of every HTTP session passes here. */
  send(message: JsonRpcMessage, options?: SendOptions): Promise<void> {
    if (this.closed) return SENT;
    const response = isResponse(message);
    const key = response ? message.id : options?.relatedRequestId;
    const exchange = key === undefined || key === null ? undefined : this.exchanges.get(key);
    if (exchange) {
      let sent: Promise<void> | undefined;
      try {
        sent = exchange.deliver(message, options?.advisory);
      } catch (error) {
        return Promise.reject(error); // JSON cannot carry it: the peer answers with an error instead
      }
      if (response) {
        // Delivered, or its client is gone: nothing else to deliver to.
        this.exchanges.delete(key as JsonRpcId);
        return sent ?? SENT;
      }
      if (sent !== undefined) return sent;
    }
    return this.toStream(message, options?.advisory);
  }

  /** A message for no live exchange: the standalone stream if the session has one, else counted as dropped. */
  private toStream(message: JsonRpcMessage, advisory: SendOptions["advisory"]): Promise<void> {
    const stream = this.standalone;
    if (stream !== undefined && !isResponse(message)) {
      let text: WireText;
      try {
        text = serializeMessage(message);
      } catch (error) {
        return Promise.reject(error);
      }
      return stream.push(text, advisory === undefined ? "message" : "advisory", advisory);
    }
    this.dropped++;
    return SENT;
  }

  private readonly onShed = (count: ShedCount): void => {
    this.onerror?.(
      new Error(
        `an HTTP client of this session is slow to read: ${count.dropped} advisory messages (progress) were dropped and ${count.coalesced} replaced by newer ones while more than ${count.limitBytes} bytes waited for it; responses are never dropped`,
      ),
    );
  };

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const exchange of new Set(this.exchanges.valuesInOrder())) exchange.end();
    this.exchanges.clear();
    for (const stream of [...this.streams.values()]) stream.end();
    this.standalone?.end();
    this.standalone = undefined;
    this.onclose?.();
  }
}
