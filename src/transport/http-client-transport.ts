import type { IncomingMessage, OutgoingHttpHeaders } from "node:http";
import { SwitchboardError } from "../jsonrpc/local-error.js";
import { SlotMap } from "../jsonrpc/slot-map.js";
import { isRequest, isResponse, isJsonObject, type JsonRpcId, type JsonRpcMessage, type JsonRpcRequest } from "../jsonrpc/message.js";
import { type MessageExtra, type SendOptions, type Transport } from "../jsonrpc/transport.js";
import { describeNetworkError, isStaleSocket, unreachableDescription, mediaType, readBody, redactUrl, sendRequest, type Exchange, type RemoteEndpoint } from "./http-client.js";
import { deliverAnswerText, deliverText, jsonRpcErrorIn, quote, readEventStream, readLimited, redirectTarget, type Delivery } from "./http-client-streams.js";
import { ServerEventStream, type EventStreamHost } from "./http-client-get-stream.js";
import { modernHeaders, modernVersionOf } from "./http-client-headers.js";
import { ToolParamHeaders } from "./http-client-params.js";
import { failureFor, type RemoteEnd, type RemoteSessionState, type RemoteStatus, type RemoteTransportOptions } from "./remote-end.js";

/** The server refused our initialize POST with a 4xx: it may speak only the legacy HTTP+SSE transport. */
export class LegacyFallbackSignal extends Error {
  constructor(readonly status: number) {
    super(`the server answered initialize with HTTP ${status}`);
  }
}

/** Options of the Streamable HTTP client transport. */
export interface HttpClientTransportOptions extends RemoteTransportOptions {
  /** Reject the initialize send with LegacyFallbackSignal on a 4xx (other than 401/403) instead of failing it. */
  legacyFallback?: boolean;
  /** Delay before reopening the GET stream when the server set none (ms). */
  defaultRetryMs?: number;
}

const ACCEPT_BOTH = "application/json, text/event-stream";
/** Resumptions of one stream in a row that bring no new event before giving up. */
const MAX_STALLED_RESUMES = 3;
/** The longest `retry` honoured before resuming a request's stream (ms). */
const MAX_RESUME_DELAY_MS = 30_000;
/** Most of an HTTP error body read to find a JSON-RPC error in it (modern errors are small: -32022 lists versions). */
const ERROR_BODY_BYTES = 64 * 1024;

/** Where a request's SSE stream stands: the last event id it gave, and its `retry`. */
interface StreamPosition {
  lastEventId: string;
  retryMs: number | undefined;
}

/**
 * The client side of MCP's Streamable HTTP transport: a POST per message
 * (answered with JSON, an SSE stream scoped to the request, or 202), the
 * `Mcp-Session-Id` the server minted kept and sent, `MCP-Protocol-Version`
 * once negotiated, a GET stream for server-initiated messages (when the server
 * allows one; reopened with `Last-Event-ID` after the server's `retry`), DELETE
 * on close. A 404 for our session re-initializes once, transparently, and the
 * request is retried once. A network failure ends the connection (the backend
 * reconnects under its restart policy); 401/403 end it for good. Messages that
 * arrive on a request's stream carry that request's id as `relatedRequestId`.
 *
 * A message whose `params._meta` names a protocol version
 * (`io.modelcontextprotocol/protocolVersion`) is sent in the modern binding
 * (2026-07-28): that version as `MCP-Protocol-Version`, `Mcp-Method`, and
 * `Mcp-Name` for `tools/call`, `prompts/get` and `resources/read`; no session
 * id (none is taken from its answer), no GET stream, no re-initialize. A
 * non-2xx answer to it whose body is a JSON-RPC error is delivered as that
 * error (`-32022` with `data.supported`, `-32601`, `-32020` …), so an era probe
 * sees what the server said; its cancellation closes its stream instead of
 * posting `notifications/cancelled`.
 */
export class HttpClientTransport implements Transport {
  onmessage?: Transport["onmessage"];
  oninvalid?: Transport["oninvalid"];
  onerror?: Transport["onerror"];
  onclose?: Transport["onclose"];
  private sessionId: string | undefined;
  private protocolVersion: string | undefined;
  private initialize: JsonRpcRequest | undefined;
  private initialized = false;
  private reinitializing: Promise<void> | undefined;
  private reinitializeCount = 0;
  /**
   * Our requests whose answer is still to come on an open POST stream, by id.
   * A SlotMap: a plain Map churned once per call kept every call's
   * ClientRequest and response alive through young collections (see slot-map).
   */
  private readonly inflight = new SlotMap<JsonRpcId, Exchange>();
  /** Answers we wait for ourselves (a transparent re-initialize), by id. */
  private readonly internal = new Map<JsonRpcId, (message: JsonRpcMessage) => void>();
  /** Exchanges we aborted on purpose (a cancelled request): their failure is expected. Node's own `destroyed` also marks connections that died. */
  private readonly abandoned = new WeakSet<Exchange>();
  /** Exchanges of modern requests: cancelled by closing their stream. */
  private readonly modern = new WeakSet<Exchange>();
  /** The `x-mcp-header` annotations of the tools modern `tools/list` answers named. */
  private readonly toolHeaders = new ToolParamHeaders();
  private readonly events: ServerEventStream;
  private closed = false;
  private state: RemoteSessionState = "none";
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
      headers: (extra) => this.headers(extra),
      live: () => this.initialized && !this.closed,
      sessionLost: () => {
        if (this.sessionId === undefined) return false;
        this.shutDown({ description: `ended our session (HTTP 404 on its event stream)` });
        return true;
      },
      unreachable: (error) => this.shutDown(this.unreachableEnd(error)),
      trouble: (what) => (this.lastError = what),
      warn: (message) => options.onWarning(message),
    };
    this.events = new ServerEventStream(host, options.defaultRetryMs ?? 1000);
  }

  /** Session, stream and last trouble, for stats. */
  status(): RemoteStatus {
    return { transport: "http", url: redactUrl(this.endpoint.url), session: this.state, stream: this.events.isOpen, lastError: this.lastError };
  }

  async start(): Promise<void> {}

  send(message: JsonRpcMessage, _options?: SendOptions): Promise<void> {
    if (this.closed) return Promise.reject(new SwitchboardError("CONNECTION_CLOSED", `${this.options.label}: the connection is closed`));
    const version = modernVersionOf(message);
    if (!isRequest(message) && !isResponse(message) && message.method === "notifications/cancelled") {
      // In the modern binding closing the stream is the cancellation, and there is nothing to post.
      if (this.cancelModern(message.params) || version !== undefined) return Promise.resolve();
    }
    if (version !== undefined) {
      if (isRequest(message) && message.method === "tools/list") this.toolHeaders.listingSent(message.id);
      return this.post(message, JSON.stringify(message), false, version);
    }
    if (isRequest(message) && message.method === "initialize") {
      this.initialize = message;
      this.sessionId = undefined;
      this.state = "connecting";
    }
    const body = JSON.stringify(message);
    const sent = this.reinitializing ? this.reinitializing.then(() => this.post(message, body, true)) : this.post(message, body, true);
    if (!isRequest(message) && !isResponse(message) && message.method === "notifications/cancelled") {
      // The server was told; the stream that would have carried the answer is of no use any more.
      const id = isJsonObject(message.params) ? message.params["requestId"] : undefined;
      if (typeof id === "string" || typeof id === "number") {
        const abandon = (): void => {
          const exchange = this.inflight.get(id);
          if (!exchange) return;
          this.abandoned.add(exchange);
          exchange.request.destroy();
        };
        sent.then(abandon, abandon);
      }
    }
    return sent;
  }

  /** A cancellation of a modern request: its stream is closed (the binding's cancellation); false when it names no modern request of ours. */
  private cancelModern(params: unknown): boolean {
    const id = isJsonObject(params) ? params["requestId"] : undefined;
    const exchange = typeof id === "string" || typeof id === "number" ? this.inflight.get(id) : undefined;
    if (!exchange || !this.modern.has(exchange)) return false;
    this.toolHeaders.forget(id as JsonRpcId);
    this.abandoned.add(exchange);
    exchange.request.destroy();
    return true;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const session = this.sessionId;
    this.shutDown({ description: "was disconnected" });
    if (session !== undefined) await this.deleteSession(session);
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
          ? this.headers({ "content-type": "application/json", accept: ACCEPT_BOTH })
          : { "content-type": "application/json", accept: ACCEPT_BOTH, ...modernHeaders(message, version), ...this.toolHeaders.headersOf(message) };
      exchange = sendRequest(this.endpoint, "POST", this.endpoint.url, headers, body);
    } catch (error) {
      return Promise.reject(error);
    }
    if (version !== undefined) this.modern.add(exchange);
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
    const session = response.headers["mcp-session-id"];
    if (version === undefined && typeof session === "string" && session !== "" && (this.sessionId === undefined || isInitialize(message))) this.sessionId = session;
    if (status >= 200 && status < 300) {
      this.afterSuccess(message);
      if (id === undefined) response.resume();
      else if (mediaType(response) === "application/json") this.readJsonAnswer(message as JsonRpcRequest, response, exchange);
      else void this.readAnswer(message as JsonRpcRequest, response, exchange);
      return undefined;
    }
    if (id !== undefined) this.inflight.delete(id);
    return this.failed(message, body, response, status, mayRetry, version !== undefined);
  }

  /** A POST that got no answer: cancelled on purpose, sent again once after a stale pooled connection, or the server is unreachable. */
  private notPosted(message: JsonRpcMessage, body: string, mayRetry: boolean, version: string | undefined, resent: boolean, exchange: Exchange, id: JsonRpcId | undefined, error: unknown): Promise<void> | undefined {
    if (id !== undefined) this.inflight.delete(id);
    if (this.closed) throw new SwitchboardError("CONNECTION_CLOSED", `${this.options.label}: the connection is closed`);
    if (this.abandoned.has(exchange)) return undefined;
    if (!resent && isStaleSocket(exchange, error)) return this.post(message, body, mayRetry, version, true);
    throw this.unreachable(error);
  }

  /** A 2xx JSON answer to one of our requests (the common case, kept free of async frames). */
  private readJsonAnswer(request: JsonRpcRequest, response: IncomingMessage, exchange: Exchange): void {
    const id = request.id;
    const broken = (error: unknown): void => {
      if (this.inflight.get(id) === exchange && !this.abandoned.has(exchange)) {
        this.failRequest(request, `broke off its answer to ${request.method}: ${describeNetworkError(error)}`, "STREAM_BROKEN");
      }
    };
    readBody(response, this.options.maxMessageBytes).then(
      (text) => {
        try {
          if (text === undefined) this.failRequest(request, `sent an answer to ${request.method} larger than maxMessageBytes (${this.options.maxMessageBytes} bytes); it was dropped`, "TOO_LARGE");
          else deliverAnswerText(text, this.sink, id);
        } catch (error) {
          broken(error);
        }
        if (this.inflight.get(id) === exchange) this.inflight.delete(id);
      },
      (error: unknown) => {
        broken(error);
        if (this.inflight.get(id) === exchange) this.inflight.delete(id);
      },
    );
  }

  /** A non-2xx answer to a POST; `modern`: a JSON-RPC error in its body is the answer. */
  private async failed(message: JsonRpcMessage, body: string, response: IncomingMessage, status: number, mayRetry: boolean, modern: boolean): Promise<void> {
    const raw = await readLimited(response, ERROR_BODY_BYTES);
    const text = quote(raw);
    const where = redactUrl(this.endpoint.url);
    if (status === 401 || status === 403) {
      const end: RemoteEnd = {
        description: `refused our credentials: HTTP ${status} from ${where} (check the "headers" of this server in the config, e.g. its Authorization token)`,
        permanent: true,
      };
      this.shutDown(end);
      throw new SwitchboardError("CONNECTION_CLOSED", `${this.options.label} ${end.description}`);
    }
    if (modern && isRequest(message)) {
      const error = jsonRpcErrorIn(raw);
      if (error) {
        this.lastError = `answered ${message.method} with HTTP ${status} and error ${error.code}`;
        this.deliver({ jsonrpc: "2.0", id: message.id, error });
        return;
      }
    }
    if (status === 404 && this.sessionId !== undefined && !isInitialize(message) && mayRetry) {
      this.lastError = `HTTP 404 for our session: re-initialized`;
      await this.reinitialize();
      return this.post(message, body, false);
    }
    if (isInitialize(message) && this.options.legacyFallback && status >= 400 && status < 500) throw new LegacyFallbackSignal(status);
    const detail =
      status >= 300 && status < 400
        ? `answered with a redirect (HTTP ${status}${redirectTarget(response)}), which is not followed; put the final URL in the config`
        : `answered HTTP ${status}${text ? `: ${text}` : ""} (at ${where})`;
    this.lastError = detail;
    const failure = failureFor(message, this.options, detail, { reason: "HTTP_STATUS", status });
    if (failure) this.deliver(failure);
    else this.options.onWarning(`${this.options.label} ${detail}`);
  }

  /**
   * Read a 2xx answer to one of our requests: JSON, or an SSE stream ending
   * with the answer. A legacy stream that breaks before the answer, after
   * the server gave its events ids, is resumed: a GET with `Last-Event-ID`
   * (after the stream's `retry`) replays what followed on that stream, as
   * often as the server keeps making progress.
   */
  private async readAnswer(request: JsonRpcRequest, response: IncomingMessage, exchange: Exchange): Promise<void> {
    const id = request.id;
    let current = exchange;
    try {
      const type = mediaType(response);
      if (type === "text/event-stream") {
        const stream: StreamPosition = { lastEventId: "", retryMs: undefined };
        const hooks = {
          retry: (ms: number) => {
            stream.retryMs = ms;
            this.events.setRetry(ms);
          },
          id: (eventId: string) => (stream.lastEventId = eventId),
        };
        let outcome = await readEventStream(response, this.options.maxMessageBytes, this.sink, id, hooks);
        let stalled = 0;
        while (!outcome.answered && !outcome.oversized && stream.lastEventId !== "" && !this.modern.has(exchange) && stalled < MAX_STALLED_RESUMES) {
          if (this.inflight.get(id) !== current || this.abandoned.has(current) || this.closed) return;
          const from = stream.lastEventId;
          const resumed = await this.resumeStream(request, stream, current);
          if (!resumed) return;
          current = resumed.exchange;
          outcome = await readEventStream(resumed.response, this.options.maxMessageBytes, this.sink, id, hooks);
          stalled = stream.lastEventId === from ? stalled + 1 : 0;
        }
        if (this.inflight.get(id) !== current) return;
        if (outcome.oversized) this.failRequest(request, `sent an answer larger than maxMessageBytes (${this.options.maxMessageBytes} bytes); it was dropped`, "TOO_LARGE");
        else if (!outcome.answered) this.failRequest(request, `ended the stream answering ${request.method} before its answer${outcome.error ? ` (${outcome.error})` : ""}`, "STREAM_BROKEN");
      } else if (type === "application/json") {
        const ok = await deliverText(response, this.options.maxMessageBytes, this.sink, id);
        if (!ok) this.failRequest(request, `sent an answer to ${request.method} larger than maxMessageBytes (${this.options.maxMessageBytes} bytes); it was dropped`, "TOO_LARGE");
      } else if (response.statusCode !== 202) {
        response.resume();
        this.failRequest(request, `answered ${request.method} with content type "${type}", neither JSON nor an event stream`, "BAD_CONTENT_TYPE");
      } else {
        response.resume();
      }
    } catch (error) {
      if (this.inflight.get(id) === current && !this.abandoned.has(current)) {
        this.failRequest(request, `broke off its answer to ${request.method}: ${describeNetworkError(error)}`, "STREAM_BROKEN");
      }
    } finally {
      if (this.inflight.get(id) === current) this.inflight.delete(id);
    }
  }

  /**
   * Reopen a request's broken stream: a GET with `Last-Event-ID`, after the
   * stream's `retry` (capped). Resolves with the new exchange and its SSE
   * response, or undefined when the request was cancelled meanwhile or the
   * server would not resume (the request is then failed).
   */
  private async resumeStream(request: JsonRpcRequest, stream: StreamPosition, previous: Exchange): Promise<{ exchange: Exchange; response: IncomingMessage } | undefined> {
    const delay = Math.min(stream.retryMs ?? 0, MAX_RESUME_DELAY_MS);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    if (this.closed || this.inflight.get(request.id) !== previous || this.abandoned.has(previous)) return undefined;
    const exchange = sendRequest(this.endpoint, "GET", this.endpoint.url, this.headers({ accept: "text/event-stream", "last-event-id": stream.lastEventId }));
    this.inflight.set(request.id, exchange);
    let response: IncomingMessage;
    try {
      response = await exchange.response;
    } catch (error) {
      if (this.inflight.get(request.id) === exchange && !this.abandoned.has(exchange)) {
        this.inflight.delete(request.id);
        this.failRequest(request, `broke off its answer to ${request.method} and could not be reached to resume it: ${describeNetworkError(error)}`, "STREAM_BROKEN");
      }
      return undefined;
    }
    const status = response.statusCode ?? 0;
    if (status >= 200 && status < 300 && mediaType(response) === "text/event-stream") return { exchange, response };
    response.resume();
    if (this.inflight.get(request.id) === exchange) {
      this.inflight.delete(request.id);
      this.failRequest(request, `broke off its answer to ${request.method} and refused to resume it (HTTP ${status} to a GET with Last-Event-ID)`, "STREAM_BROKEN");
    }
    return undefined;
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
      const internal = message.id === null ? undefined : this.internal.get(message.id);
      if (internal) return internal(message);
      if (this.initialize && message.id === this.initialize.id && "result" in message && isJsonObject(message.result)) {
        const version = message.result["protocolVersion"];
        if (typeof version === "string") this.protocolVersion = version;
      }
      if (message.id !== null) this.inflight.delete(message.id);
    }
    if (!this.closed) this.onmessage?.(message, extra);
  }

  /** After a message was accepted: `notifications/initialized` completes the session and opens the GET stream. */
  private afterSuccess(message: JsonRpcMessage): void {
    if (isRequest(message) || isResponse(message) || message.method !== "notifications/initialized") return;
    this.initialized = true;
    this.state = "active";
    this.events.open();
  }

  /** One transparent re-initialize: the remembered initialize, a fresh session, `notifications/initialized`. */
  private reinitialize(): Promise<void> {
    this.reinitializing ??= this.runReinitialize().finally(() => (this.reinitializing = undefined));
    return this.reinitializing;
  }

  private async runReinitialize(): Promise<void> {
    const initialize = this.initialize;
    if (!initialize) throw new SwitchboardError("CONNECTION_CLOSED", `${this.options.label} lost its session before it was initialized`);
    this.state = "reinitializing";
    this.sessionId = undefined;
    this.events.stop();
    const id = `switchboard-reinitialize-${++this.reinitializeCount}`;
    const answered = new Promise<JsonRpcMessage>((resolve) => this.internal.set(id, resolve));
    try {
      await this.post({ ...initialize, id }, JSON.stringify({ ...initialize, id }), false);
      const answer = await answered;
      if (!("result" in answer)) throw new SwitchboardError("HANDSHAKE_FAILED", `${this.options.label} refused to initialize a new session`);
      await this.post({ jsonrpc: "2.0", method: "notifications/initialized" }, JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }), false);
      this.options.onWarning(`${this.options.label} had forgotten our session (HTTP 404); a new session was initialized`);
    } finally {
      this.internal.delete(id);
    }
  }

  private headers(extra: OutgoingHttpHeaders): OutgoingHttpHeaders {
    const headers: OutgoingHttpHeaders = { ...extra };
    if (this.sessionId !== undefined) headers["mcp-session-id"] = this.sessionId;
    if (this.protocolVersion !== undefined) headers["mcp-protocol-version"] = this.protocolVersion;
    return headers;
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
    this.state = "closed";
    if (end.permanent || end.error) this.lastError = end.description;
    this.events.stop();
    for (const exchange of this.inflight.valuesInOrder()) exchange.request.destroy();
    this.inflight.clear();
    this.options.onEnd(end);
    this.onclose?.(end.error ?? (end.permanent ? new Error(end.description) : undefined));
  }

  /** End the session on the server (best effort, briefly). */
  private async deleteSession(session: string): Promise<void> {
    const headers: OutgoingHttpHeaders = { "mcp-session-id": session };
    if (this.protocolVersion !== undefined) headers["mcp-protocol-version"] = this.protocolVersion;
    const exchange = sendRequest(this.endpoint, "DELETE", this.endpoint.url, headers);
    const timer = setTimeout(() => exchange.request.destroy(), 2000);
    try {
      (await exchange.response).resume();
    } catch {
      // The server may be gone already; the session dies with it.
    } finally {
      clearTimeout(timer);
    }
  }
}

function isInitialize(message: JsonRpcMessage): boolean {
  return isRequest(message) && message.method === "initialize";
}
