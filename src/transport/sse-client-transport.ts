import type { IncomingMessage } from "node:http";
import { SwitchboardError } from "../jsonrpc/local-error.js";
import type { JsonRpcMessage } from "../jsonrpc/message.js";
import type { SendOptions, Transport } from "../jsonrpc/transport.js";
import { isStaleSocket, unreachableDescription, mediaType, redactUrl, sendRequest, type Exchange, type RemoteEndpoint } from "./http-client.js";
import { readEventStream, type Delivery } from "./http-client-streams.js";
import { failureFor, type RemoteEnd, type RemoteSessionState, type RemoteStatus, type RemoteTransportOptions } from "./remote-end.js";

/** Options of the legacy HTTP+SSE client transport. */
export interface SseClientTransportOptions extends RemoteTransportOptions {
  /** How long start() waits for the stream and its `endpoint` event (ms). */
  startTimeoutMs: number;
}

/**
 * The client side of the legacy HTTP+SSE transport (2024-11-05): a GET
 * event stream whose first `endpoint` event names where to POST messages
 * (same origin only: our headers never go elsewhere); every server message
 * arrives on that stream. The stream's end ends the connection, and the
 * backend reconnects under its restart policy.
 */
export class SseClientTransport implements Transport {
  onmessage?: Transport["onmessage"];
  oninvalid?: Transport["oninvalid"];
  onerror?: Transport["onerror"];
  onclose?: Transport["onclose"];
  private stream: Exchange | undefined;
  private postUrl: URL | undefined;
  private closed = false;
  private state: RemoteSessionState = "none";
  private lastError: string | null = null;

  constructor(
    private readonly endpoint: RemoteEndpoint,
    private readonly options: SseClientTransportOptions,
  ) {}

  /** Session, stream and last trouble, for stats. */
  status(): RemoteStatus {
    return { transport: "sse", url: redactUrl(this.endpoint.url), session: this.state, stream: this.stream !== undefined && !this.closed, lastError: this.lastError };
  }

  /** Open the event stream; resolves once the server named its message endpoint. */
  start(): Promise<void> {
    this.state = "connecting";
    const exchange = sendRequest(this.endpoint, "GET", this.endpoint.url, { accept: "text/event-stream" });
    this.stream = exchange;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const what = `did not name its message endpoint within ${this.options.startTimeoutMs} ms`;
        reject(new SwitchboardError("CONNECTION_CLOSED", `${this.options.label} ${what}`));
        this.shutDown({ description: what, error: new Error(what) });
      }, this.options.startTimeoutMs);
      const fail = (end: RemoteEnd): void => {
        clearTimeout(timer);
        reject(new SwitchboardError("CONNECTION_CLOSED", `${this.options.label} ${end.description}`));
        this.shutDown(end);
      };
      const sink: Delivery = {
        deliver: (message, extra) => {
          if (!this.closed) this.onmessage?.(message, extra);
        },
        invalid: (error, id, response) => this.oninvalid?.(error, id, response),
      };
      exchange.response.then(
        (response) => {
          const status = response.statusCode ?? 0;
          if (status === 401 || status === 403) return fail(this.authEnd(status));
          if (status !== 200 || mediaType(response) !== "text/event-stream") {
            response.resume();
            return fail({ description: `answered its event stream's GET with HTTP ${status} (${mediaType(response) || "no content type"}), not an event stream`, error: new Error(`HTTP ${status}`) });
          }
          void this.read(response, sink, (endpoint) => {
            clearTimeout(timer);
            try {
              this.postUrl = this.sameOrigin(endpoint);
            } catch (error) {
              return fail({ description: (error as Error).message, error: error as Error });
            }
            this.state = "active";
            resolve();
          });
        },
        (error: unknown) => fail(this.unreachableEnd(error)),
      );
    });
  }

  send(message: JsonRpcMessage, _options?: SendOptions): Promise<void> {
    return this.post(message, false);
  }

  /** POST one message to the endpoint; `resent`: the second try after a stale pooled connection (see isStaleSocket). */
  private post(message: JsonRpcMessage, resent: boolean): Promise<void> {
    const target = this.postUrl;
    if (this.closed || !target) return Promise.reject(new SwitchboardError("CONNECTION_CLOSED", `${this.options.label}: the connection is closed`));
    const exchange = sendRequest(this.endpoint, "POST", target, { "content-type": "application/json" }, JSON.stringify(message));
    return exchange.response.then(
      async (response) => {
        const status = response.statusCode ?? 0;
        response.resume();
        if (status >= 200 && status < 300) return;
        if (status === 401 || status === 403) {
          const end = this.authEnd(status);
          this.shutDown(end);
          throw new SwitchboardError("CONNECTION_CLOSED", `${this.options.label} ${end.description}`);
        }
        const what = `answered a POST of its messages with HTTP ${status}`;
        this.lastError = what;
        const failure = failureFor(message, this.options, what, { reason: "HTTP_STATUS", status });
        if (failure && !this.closed) this.onmessage?.(failure);
        else this.options.onWarning(`${this.options.label} ${what}`);
      },
      (error: unknown) => {
        if (!resent && !this.closed && isStaleSocket(exchange, error)) return this.post(message, true);
        const end = this.unreachableEnd(error);
        this.shutDown(end);
        throw new SwitchboardError("CONNECTION_CLOSED", `${this.options.label} ${end.description}`, { cause: error });
      },
    );
  }

  async close(): Promise<void> {
    this.shutDown({ description: "was disconnected" });
  }

  /** Read the stream: its first `endpoint` event goes to `onEndpoint`, messages to the sink; its end ends the connection. */
  private async read(response: IncomingMessage, sink: Delivery, onEndpoint: (endpoint: string) => void): Promise<void> {
    let named = false;
    const outcome = await readEventStream(
      response,
      this.options.maxMessageBytes,
      sink,
      undefined,
      {
        oversized: (bytes) => this.options.onWarning(`${this.options.label} sent an event of ${bytes}+ bytes, over maxMessageBytes; it was dropped`),
        other: (event, data) => {
          if (event !== "endpoint" || named) return;
          named = true;
          onEndpoint(data);
        },
      },
    );
    const what = outcome.error ? `broke its event stream (${outcome.error})` : "closed its event stream";
    this.shutDown({ description: what, error: new Error(what) });
  }

  private sameOrigin(endpoint: string): URL {
    const url = new URL(endpoint, this.endpoint.url);
    if (url.origin !== this.endpoint.url.origin) {
      throw new Error(`named a message endpoint on another origin (${url.origin}); refused, so that its headers are not sent there`);
    }
    return url;
  }

  private authEnd(status: number): RemoteEnd {
    return {
      description: `refused our credentials: HTTP ${status} from ${redactUrl(this.endpoint.url)} (check the "headers" of this server in the config, e.g. its Authorization token)`,
      permanent: true,
    };
  }

  private unreachableEnd(error: unknown): RemoteEnd {
    return { description: unreachableDescription(this.endpoint.url, error), error: error instanceof Error ? error : new Error(String(error)) };
  }

  private shutDown(end: RemoteEnd): void {
    if (this.closed) return;
    this.closed = true;
    this.state = "closed";
    if (end.error || end.permanent) this.lastError = end.description;
    this.stream?.request.destroy();
    this.options.onEnd(end);
    this.onclose?.(end.error ?? (end.permanent ? new Error(end.description) : undefined));
  }
}
