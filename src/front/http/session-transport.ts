import type { ServerResponse } from "node:http";
import { isResponse, type JsonRpcId, type JsonRpcMessage } from "../../jsonrpc/message.js";
import { SENT, type SendOptions, type Transport } from "../../jsonrpc/transport.js";
import type { WireText } from "../../jsonrpc/serialize.js";
import { OutboundQueue, type ShedCount } from "../../transport/outbound-queue.js";
import type { Exchange } from "./exchange.js";
import { SSE_KEEP_ALIVE, sseEvent } from "./sse.js";

/** Interval of SSE comment lines on an idle GET stream. */
export const KEEP_ALIVE_MS = 25_000;

/** Options of a session transport. */
export interface SessionTransportOptions {
  /**
   * Bytes the GET stream may hold for a slow reader before advisory messages
   * are coalesced or dropped (default 2 MiB).
   */
  maxBufferedBytes?: number;
}

/**
 * The transport of one Streamable HTTP session. Incoming messages arrive by
 * POST; outgoing ones go to the exchange of the request they belong to, or
 * to the session's GET stream when they belong to none.
 */
export class SessionTransport implements Transport {
  onmessage?: Transport["onmessage"];
  oninvalid?: Transport["oninvalid"];
  onerror?: Transport["onerror"];
  onclose?: Transport["onclose"];

  private readonly exchanges = new Map<JsonRpcId, Exchange>();
  private readonly maxBufferedBytes: number | undefined;
  private stream: OutboundQueue | undefined;
  private closed = false;
  /** Messages that had nowhere to go (no GET stream open). */
  dropped = 0;

  constructor(options: SessionTransportOptions = {}) {
    this.maxBufferedBytes = options.maxBufferedBytes;
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

  /** True while a GET stream is open. */
  get hasStream(): boolean {
    return this.stream !== undefined;
  }

  /** Use `res` as the session's stream for server-initiated messages. */
  openStream(res: ServerResponse): void {
    const options = this.maxBufferedBytes === undefined ? {} : { maxBufferedBytes: this.maxBufferedBytes };
    const stream = new OutboundQueue(res, { ...options, onShed: this.onShed });
    this.stream = stream;
    // A comment line now and then keeps proxies and load balancers from
    // closing a quiet stream; a stream that is not quiet needs none.
    const keepAlive = setInterval(() => {
      if (!res.writableEnded && stream.idle) res.write(SSE_KEEP_ALIVE);
    }, KEEP_ALIVE_MS);
    keepAlive.unref();
    res.once("close", () => {
      clearInterval(keepAlive);
      if (this.stream === stream) this.stream = undefined;
    });
  }

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

  /** A message for no live exchange: the GET stream if one is open, else counted as dropped. */
  private toStream(message: JsonRpcMessage, advisory: SendOptions["advisory"]): Promise<void> {
    if (this.stream && !isResponse(message)) {
      let event: WireText;
      try {
        event = sseEvent(message);
      } catch (error) {
        return Promise.reject(error);
      }
      return this.stream.push(event, advisory);
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
    for (const exchange of new Set(this.exchanges.values())) exchange.end();
    this.exchanges.clear();
    this.stream?.end();
    this.stream = undefined;
    this.onclose?.();
  }
}
