import type { IncomingMessage, OutgoingHttpHeaders } from "node:http";
import type { JsonRpcId, JsonRpcRequest } from "../jsonrpc/message.js";
import type { SlotMap } from "../jsonrpc/slot-map.js";
import { describeNetworkError, mediaType, readBody, sendRequest, type Exchange, type RemoteEndpoint } from "./http-client.js";
import { deliverAnswerText, deliverText, readEventStream, type Delivery } from "./http-client-streams.js";

/** Resumptions of one stream in a row that bring no new event before giving up. */
const MAX_STALLED_RESUMES = 3;
/** The longest `retry` honoured before resuming a request's stream (ms). */
const MAX_RESUME_DELAY_MS = 30_000;
/** Where a request's SSE stream stands: the last event id it gave, and its `retry`. */
interface StreamPosition {
  lastEventId: string;
  retryMs: number | undefined;
}

/** What reading answers needs of the Streamable HTTP client transport. */
export interface AnswerHost {
  readonly endpoint: RemoteEndpoint;
  readonly maxMessageBytes: number;
  readonly sink: Delivery;
  /** Our requests whose answer is still to come, by id (an entry is replaced when a stream is resumed). */
  readonly inflight: SlotMap<JsonRpcId, Exchange>;
  /** We cancelled this exchange on purpose: its failure is no failure of the request. */
  abandoned(exchange: Exchange): boolean;
  /** The exchange carries a modern (2026-07-28) request: its stream is never resumed. */
  modern(exchange: Exchange): boolean;
  closed(): boolean;
  headers(extra: OutgoingHttpHeaders): OutgoingHttpHeaders;
  /** A stream gave its `retry`. */
  retry(ms: number): void;
  /** Fail a request in the server's name. */
  fail(request: JsonRpcRequest, what: string, reason: string): void;
}

/**
 * Reading a 2xx answer to one of our requests: JSON, or an SSE stream
 * scoped to the request, resumed with `Last-Event-ID` when it breaks after
 * the server gave its events ids. Every failure fails only that request.
 */
export class AnswerReader {
  constructor(private readonly host: AnswerHost) {}

  /** A 2xx JSON answer to one of our requests (the common case, kept free of async frames). */
  readJson(request: JsonRpcRequest, response: IncomingMessage, exchange: Exchange): void {
    const id = request.id;
    const broken = (error: unknown): void => {
      if (this.host.inflight.get(id) === exchange && !this.host.abandoned(exchange)) {
        this.host.fail(request, `broke off its answer to ${request.method}: ${describeNetworkError(error)}`, "STREAM_BROKEN");
      }
    };
    readBody(response, this.host.maxMessageBytes).then(
      (text) => {
        try {
          if (text === undefined) this.host.fail(request, `sent an answer to ${request.method} larger than maxMessageBytes (${this.host.maxMessageBytes} bytes); it was dropped`, "TOO_LARGE");
          else deliverAnswerText(text, this.host.sink, id);
        } catch (error) {
          broken(error);
        }
        if (this.host.inflight.get(id) === exchange) this.host.inflight.delete(id);
      },
      (error: unknown) => {
        broken(error);
        if (this.host.inflight.get(id) === exchange) this.host.inflight.delete(id);
      },
    );
  }

  /**
   * Read a 2xx answer to one of our requests: JSON, or an SSE stream ending
   * with the answer. A legacy stream that breaks before the answer, after
   * the server gave its events ids, is resumed: a GET with `Last-Event-ID`
   * (after the stream's `retry`) replays what followed on that stream, as
   * often as the server keeps making progress.
   */
  async read(request: JsonRpcRequest, response: IncomingMessage, exchange: Exchange): Promise<void> {
    const id = request.id;
    let current = exchange;
    try {
      const type = mediaType(response);
      if (type === "text/event-stream") {
        const stream: StreamPosition = { lastEventId: "", retryMs: undefined };
        const hooks = {
          retry: (ms: number) => {
            stream.retryMs = ms;
            this.host.retry(ms);
          },
          id: (eventId: string) => (stream.lastEventId = eventId),
        };
        let outcome = await readEventStream(response, this.host.maxMessageBytes, this.host.sink, id, hooks);
        let stalled = 0;
        while (!outcome.answered && !outcome.oversized && stream.lastEventId !== "" && !this.host.modern(exchange) && stalled < MAX_STALLED_RESUMES) {
          if (this.host.inflight.get(id) !== current || this.host.abandoned(current) || this.host.closed()) return;
          const from = stream.lastEventId;
          const resumed = await this.resume(request, stream, current);
          if (!resumed) return;
          current = resumed.exchange;
          outcome = await readEventStream(resumed.response, this.host.maxMessageBytes, this.host.sink, id, hooks);
          stalled = stream.lastEventId === from ? stalled + 1 : 0;
        }
        if (this.host.inflight.get(id) !== current) return;
        if (outcome.oversized) this.host.fail(request, `sent an answer larger than maxMessageBytes (${this.host.maxMessageBytes} bytes); it was dropped`, "TOO_LARGE");
        else if (!outcome.answered) this.host.fail(request, `ended the stream answering ${request.method} before its answer${outcome.error ? ` (${outcome.error})` : ""}`, "STREAM_BROKEN");
      } else if (type === "application/json") {
        const ok = await deliverText(response, this.host.maxMessageBytes, this.host.sink, id);
        if (!ok) this.host.fail(request, `sent an answer to ${request.method} larger than maxMessageBytes (${this.host.maxMessageBytes} bytes); it was dropped`, "TOO_LARGE");
      } else if (response.statusCode !== 202) {
        response.resume();
        this.host.fail(request, `answered ${request.method} with content type "${type}", neither JSON nor an event stream`, "BAD_CONTENT_TYPE");
      } else {
        response.resume();
      }
    } catch (error) {
      if (this.host.inflight.get(id) === current && !this.host.abandoned(current)) {
        this.host.fail(request, `broke off its answer to ${request.method}: ${describeNetworkError(error)}`, "STREAM_BROKEN");
      }
    } finally {
      if (this.host.inflight.get(id) === current) this.host.inflight.delete(id);
    }
  }

  /**
   * Reopen a request's broken stream: a GET with `Last-Event-ID`, after the
   * stream's `retry` (capped). Resolves with the new exchange and its SSE
   * response, or undefined when the request was cancelled meanwhile or the
   * server would not resume (the request is then failed).
   */
  private async resume(request: JsonRpcRequest, stream: StreamPosition, previous: Exchange): Promise<{ exchange: Exchange; response: IncomingMessage } | undefined> {
    const delay = Math.min(stream.retryMs ?? 0, MAX_RESUME_DELAY_MS);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    if (this.host.closed() || this.host.inflight.get(request.id) !== previous || this.host.abandoned(previous)) return undefined;
    const exchange = sendRequest(this.host.endpoint, "GET", this.host.endpoint.url, this.host.headers({ accept: "text/event-stream", "last-event-id": stream.lastEventId }));
    this.host.inflight.set(request.id, exchange);
    let response: IncomingMessage;
    try {
      response = await exchange.response;
    } catch (error) {
      if (this.host.inflight.get(request.id) === exchange && !this.host.abandoned(exchange)) {
        this.host.inflight.delete(request.id);
        this.host.fail(request, `broke off its answer to ${request.method} and could not be reached to resume it: ${describeNetworkError(error)}`, "STREAM_BROKEN");
      }
      return undefined;
    }
    const status = response.statusCode ?? 0;
    if (status >= 200 && status < 300 && mediaType(response) === "text/event-stream") return { exchange, response };
    response.resume();
    if (this.host.inflight.get(request.id) === exchange) {
      this.host.inflight.delete(request.id);
      this.host.fail(request, `broke off its answer to ${request.method} and refused to resume it (HTTP ${status} to a GET with Last-Event-ID)`, "STREAM_BROKEN");
    }
    return undefined;
  }
}
