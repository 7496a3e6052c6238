import type { IncomingMessage, OutgoingHttpHeaders } from "node:http";
import { SwitchboardError } from "../jsonrpc/local-error.js";
import { SlotMap } from "../jsonrpc/slot-map.js";
import { isRequest, isResponse, type JsonRpcId, type JsonRpcMessage, type JsonRpcRequest } from "../jsonrpc/message.js";
import { type MessageExtra, type SendOptions, type Transport } from "../jsonrpc/transport.js";
import { isStaleSocket, unreachableDescription, mediaType, redactUrl, sendRequest, type Exchange, type RemoteEndpoint } from "./http-client.js";
import type { Delivery } from "./http-client-streams.js";
import { LegacyFallbackSignal, readRefusal } from "./http-client-refusal.js";
import { deleteSession, LegacySession } from "./http-client-session.js";
import { AnswerReader } from "./http-client-answers.js";
import { ExchangeCancellation } from "./http-client-cancellation.js";
import { SessionReinitializer } from "./http-client-reinitialize.js";
import { ServerEventStream, type EventStreamHost } from "./http-client-get-stream.js";
import { modernHeaders, modernVersionOf } from "./http-client-headers.js";
import { ToolParamHeaders } from "./http-client-params.js";
import { failureFor, type RemoteEnd, type RemoteStatus, type RemoteTransportOptions } from "./remote-end.js";

export { LegacyFallbackSignal } from "./http-client-refusal.js";

/** Options of the Streamable HTTP client transport. */
export interface HttpClientTransportOptions extends RemoteTransportOptions {
  /** Reject the initialize send with LegacyFallbackSignal on a 4xx (other than 401/403) instead of failing it. */
  legacyFallback?: boolean;
  /** Delay before reopening the GET stream when the server set none (ms). */
  defaultRetryMs?: number;
}

const ACCEPT_BOTH = "application/json, text/event-stream";

/**
 * The client side of MCP's Streamable HTTP transport: a POST per message
 * (answered with JSON, an SSE stream scoped to the request, or 202), the
 * `Mcp-Session-Id` the server minted kept and sent, `MCP-Protocol-Version`
 * once negotiated, a GET stream for server-initiated messages (when the server
 * allows one; reopened with `Last-Event-ID` after the server's `retry`), DELETE
 * on close. A 404 for our session re-initializes once, transparently
 * (SessionReinitializer), and the request is retried once; a 404 on the GET
 * stream re-initializes the same way (the new session opens its own stream).
 * A network failure ends the connection (the backend reconnects under its
 * restart policy); 401/403 end it for good. Messages that arrive on a
 * request's stream carry that request's id as `relatedRequestId`.
 *
 * A message whose `params._meta` names a protocol version
 * (`io.modelcontextprotocol/protocolVersion`) is sent in the modern binding
 * (2026-07-28): that version as `MCP-Protocol-Version`, `Mcp-Method`, and
 * `Mcp-Name` for `tools/call`, `prompts/get` and `resources/read`; no session
 * id (none is taken from its answer), no GET stream, no re-initialize. A
 * non-2xx answer to it whose body is a JSON-RPC error is delivered as that
 * error (`-32022` with `data.supported`, `-32601`, `-32020` …), so an era probe
 * sees what the server said; its cancellation closes its stream instead of
 * posting `notifications/cancelled` (ExchangeCancellation).
 */
export class HttpClientTransport implements Transport {
  onmessage?: Transport["onmessage"];
  oninvalid?: Transport["oninvalid"];
  onerror?: Transport["onerror"];
  onclose?: Transport["onclose"];
  private readonly session = new LegacySession();
  private readonly reinitializer: SessionReinitializer;
  /**
   * Our requests whose answer is still to come on an open POST stream, by id.
   * A SlotMap: a plain Map churned once per call kept every call's
   * ClientRequest and response alive through young collections (see slot-map).
   */
  private readonly inflight = new SlotMap<JsonRpcId, Exchange>();
  /** Which exchanges are modern, which we aborted on purpose, and how a cancellation aborts one. */
  private readonly cancellation = new ExchangeCancellation(this.inflight);
  /** The `x-mcp-header` annotations of the tools modern `tools/list` answers named. */
  private readonly toolHeaders = new ToolParamHeaders();
  private readonly events: ServerEventStream;
  private readonly answers: AnswerReader;
  private closed = false;
  /** Where every answer's messages go (one object for the connection, not one per request). */
  private readonly sink: Delivery = { deliver: (m, extra) => this.deliver(m, extra), invalid: (e, i, r) => this.oninvalid?.(e, i, r) };
  private lastError: string | null = null;

  constructor(
    private readonly endpoint: RemoteEndpoint,
    private readonly options: HttpClientTransportOptions,
  ) {
    const host: EventStreamHost = {
      endpoint,
      label: options.label,
      maxMessageBytes: options.maxMessageBytes,
      sink: this.sink,
      headers: (extra) => this.session.headers(extra),
      live: () => this.session.initialized && !this.closed,
      sessionLost: () => {
        if (this.session.id === undefined) return false;
        this.lastError = `HTTP 404 for our session on its event stream: re-initialized`;
        this.reinitializer.reinitialize().catch((error: unknown) =>
          this.shutDown({ description: `ended our session (HTTP 404 on its event stream) and a new one could not be initialized: ${error instanceof Error ? error.message : String(error)}` }),
        );
        return true;
      },
      unreachable: (error) => this.shutDown(this.unreachableEnd(error)),
      trouble: (what) => (this.lastError = what),
      warn: (message) => options.onWarning(message),
    };
    this.events = new ServerEventStream(host, options.defaultRetryMs ?? 1000);
    this.reinitializer = new SessionReinitializer({
      label: options.label,
      session: this.session,
      stopEvents: () => this.events.stop(),
      post: (message, body) => this.post(message, body, false),
      warn: (message) => options.onWarning(message),
    });
    this.answers = new AnswerReader({
      endpoint,
      maxMessageBytes: options.maxMessageBytes,
      sink: this.sink,
      inflight: this.inflight,
      abandoned: (exchange) => this.cancellation.isAbandoned(exchange),
      modern: (exchange) => this.cancellation.isModern(exchange),
      closed: () => this.closed,
      headers: (extra) => this.session.headers(extra),
      retry: (ms) => this.events.setRetry(ms),
      fail: (request, what, reason) => this.failRequest(request, what, reason),
    });
  }

  /** Session, stream and last trouble, for stats. */
  status(): RemoteStatus {
    return { transport: "http", url: redactUrl(this.endpoint.url), session: this.session.state, stream: this.events.isOpen, lastError: this.lastError };
  }

  async start(): Promise<void> {}

  send(message: JsonRpcMessage, _options?: SendOptions): Promise<void> {
    if (this.closed) return Promise.reject(new SwitchboardError("CONNECTION_CLOSED", `${this.options.label}: the connection is closed`));
    const version = modernVersionOf(message);
    const cancels = !isRequest(message) && !isResponse(message) && message.method === "notifications/cancelled";
    if (cancels) {
      // In the modern binding closing the stream is the cancellation, and there is nothing to post.
      const cancelled = this.cancellation.cancelModern(message.params);
      if (cancelled !== undefined) this.toolHeaders.forget(cancelled);
      if (cancelled !== undefined || version !== undefined) return Promise.resolve();
    }
    if (version !== undefined) {
      if (isRequest(message) && message.method === "tools/list") this.toolHeaders.listingSent(message.id);
      return this.post(message, JSON.stringify(message), false, version);
    }
    if (isRequest(message) && message.method === "initialize") this.session.begin(message);
    const body = JSON.stringify(message);
    const reinitializing = this.reinitializer.running;
    const sent = reinitializing ? reinitializing.then(() => this.post(message, body, true)) : this.post(message, body, true);
    // The server was told; the stream that would have carried the answer is of no use any more.
    if (cancels) this.cancellation.abandonAfter(sent, message.params);
    return sent;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const ending = this.session.end();
    this.shutDown({ description: "was disconnected" });
    if (ending) await deleteSession(this.endpoint, ending);
  }

  /**
   * POST one message and handle the answer; `mayRetry`: a 404 for our session
   * re-initializes and retries once; `version`: the message is modern (sent
   * with its request metadata headers, outside any session); `resent`: this
   * is the second try after a stale pooled connection (see isStaleSocket).
   */
  private post(message: JsonRpcMessage, body: string, mayRetry: boolean, version?: string, resent = false): Promise<void> {
    // Not an async function: every call to a remote server passes here (see ARCHITECTURE, "Few async frames").
    if (this.closed) return Promise.reject(new SwitchboardError("CONNECTION_CLOSED", `${this.options.label}: the connection is closed`));
    let exchange: Exchange;
    try {
      const headers: OutgoingHttpHeaders =
        version === undefined
          ? this.session.headers({ "content-type": "application/json", accept: ACCEPT_BOTH })
          : { "content-type": "application/json", accept: ACCEPT_BOTH, ...modernHeaders(message, version), ...this.toolHeaders.headersOf(message) };
      exchange = sendRequest(this.endpoint, "POST", this.endpoint.url, headers, body);
    } catch (error) {
      return Promise.reject(error);
    }
    if (version !== undefined) this.cancellation.markModern(exchange);
    const id = isRequest(message) ? message.id : undefined;
    if (id !== undefined) this.inflight.set(id, exchange);
    return exchange.response.then(
      (response) => this.posted(message, body, mayRetry, version, exchange, id, response),
      (error: unknown) => this.notPosted(message, body, mayRetry, version, resent, exchange, id, error),
    );
  }

  /** The answer's head to a POST arrived: a 2xx answer is read (a request's) or drained; anything else failed. */
  private posted(message: JsonRpcMessage, body: string, mayRetry: boolean, version: string | undefined, exchange: Exchange, id: JsonRpcId | undefined, response: IncomingMessage): Promise<void> | undefined {
    const status = response.statusCode ?? 0;
    if (version === undefined) this.session.adopt(response, isInitialize(message));
    if (status >= 200 && status < 300) {
      this.afterSuccess(message);
      if (id === undefined) response.resume();
      else if (mediaType(response) === "application/json") this.answers.readJson(message as JsonRpcRequest, response, exchange);
      else void this.answers.read(message as JsonRpcRequest, response, exchange);
      return undefined;
    }
    if (id !== undefined) this.inflight.delete(id);
    return this.failed(message, body, response, mayRetry, version !== undefined);
  }

  /** A POST that got no answer: cancelled on purpose, sent again once after a stale pooled connection, or the server is unreachable. */
  private notPosted(message: JsonRpcMessage, body: string, mayRetry: boolean, version: string | undefined, resent: boolean, exchange: Exchange, id: JsonRpcId | undefined, error: unknown): Promise<void> | undefined {
    if (id !== undefined) this.inflight.delete(id);
    if (this.closed) throw new SwitchboardError("CONNECTION_CLOSED", `${this.options.label}: the connection is closed`);
    if (this.cancellation.isAbandoned(exchange)) return undefined;
    if (!resent && isStaleSocket(exchange, error)) return this.post(message, body, mayRetry, version, true);
    throw this.unreachable(error);
  }

  /** A non-2xx answer to a POST (see readRefusal); `modern`: the POST was in the modern binding. */
  private async failed(message: JsonRpcMessage, body: string, response: IncomingMessage, mayRetry: boolean, modern: boolean): Promise<void> {
    const refusal = await readRefusal(response, {
      modernRequest: modern && isRequest(message),
      inSession: this.session.id !== undefined && !isInitialize(message) && mayRetry,
      mayFallBack: isInitialize(message) && this.options.legacyFallback === true,
      where: redactUrl(this.endpoint.url),
    });
    switch (refusal.kind) {
      case "credentials":
        this.shutDown({ description: refusal.description, permanent: true });
        throw new SwitchboardError("CONNECTION_CLOSED", `${this.options.label} ${refusal.description}`);
      case "error":
        this.lastError = `answered ${(message as JsonRpcRequest).method} with HTTP ${refusal.status} and error ${refusal.error.code}`;
        this.deliver({ jsonrpc: "2.0", id: (message as JsonRpcRequest).id, error: refusal.error });
        return;
      case "session-lost":
        this.lastError = `HTTP 404 for our session: re-initialized`;
        await this.reinitializer.reinitialize();
        return this.post(message, body, false);
      case "legacy-fallback":
        throw new LegacyFallbackSignal(refusal.status);
      case "failed": {
        this.lastError = refusal.detail;
        const failure = failureFor(message, this.options, refusal.detail, { reason: "HTTP_STATUS", status: refusal.status });
        if (failure) this.deliver(failure);
        else this.options.onWarning(`${this.options.label} ${refusal.detail}`);
      }
    }
  }

  private failRequest(request: JsonRpcRequest, what: string, reason: string): void {
    this.lastError = what;
    const failure = failureFor(request, this.options, what, { reason });
    if (failure) this.deliver(failure);
  }

  /** A listed tool whose `x-mcp-header` annotations break the rules is left out, with a warning. */
  private readonly rejectTool = (tool: string, reason: string): void =>
    this.options.onWarning(`${this.options.label} lists tool "${tool}" with an invalid x-mcp-header annotation (${reason}); the tool is left out`);

  /** Hand a message up (or to an internal waiter); responses also tell us the negotiated version. */
  private deliver(message: JsonRpcMessage, extra?: MessageExtra): void {
    if (isResponse(message)) {
      message = this.toolHeaders.read(message, this.rejectTool);
      if (this.reinitializer.take(message)) return;
      this.session.learn(message);
      if (message.id !== null) this.inflight.delete(message.id);
    }
    if (!this.closed) this.onmessage?.(message, extra);
  }

  /** After a message was accepted: `notifications/initialized` completes the session and opens the GET stream. */
  private afterSuccess(message: JsonRpcMessage): void {
    if (isRequest(message) || isResponse(message) || message.method !== "notifications/initialized") return;
    this.session.initialized = true;
    this.session.state = "active";
    this.events.open();
  }

  private unreachableEnd(error: unknown): RemoteEnd {
    return {
      description: unreachableDescription(this.endpoint.url, error),
      error: error instanceof Error ? error : new Error(String(error)),
    };
  }

  /** A network failure: the connection is over (the backend reconnects under its restart policy). */
  private unreachable(error: unknown): SwitchboardError {
    const end = this.unreachableEnd(error);
    this.shutDown(end);
    return new SwitchboardError("CONNECTION_CLOSED", `${this.options.label} ${end.description}`, { cause: error });
  }

  /** End the connection once: streams aborted, the end reported, `onclose` fired. */
  private shutDown(end: RemoteEnd): void {
    if (this.closed) return;
    this.closed = true;
    this.session.state = "closed";
    if (end.permanent || end.error) this.lastError = end.description;
    this.events.stop();
    for (const exchange of this.inflight.valuesInOrder()) exchange.request.destroy();
    this.inflight.clear();
    this.options.onEnd(end);
    this.onclose?.(end.error ?? (end.permanent ? new Error(end.description) : undefined));
  }
}

function isInitialize(message: JsonRpcMessage): boolean {
  return isRequest(message) && message.method === "initialize";
}
