import type { OutgoingHttpHeaders } from "node:http";
import { isStaleSocket, mediaType, sendRequest, type Exchange, type RemoteEndpoint } from "./http-client.js";
import { readEventStream, type Delivery } from "./http-client-streams.js";

/** What the GET stream needs from the Streamable HTTP transport it belongs to. */
export interface EventStreamHost {
  readonly endpoint: RemoteEndpoint;
  /** `backend "x"`, for messages. */
  readonly label: string;
  readonly maxMessageBytes: number;
  readonly sink: Delivery;
  /** The session headers of the moment (session id, negotiated version) plus `extra`. */
  headers(extra: OutgoingHttpHeaders): OutgoingHttpHeaders;
  /** The session is open (initialized, not closed): a broken stream may be reopened. */
  live(): boolean;
  /** A 404 on the stream: true when it meant our session ended (the host opens a new one, and the stream with it), false without a session. */
  sessionLost(): boolean;
  /** The server cannot be reached: the connection is over. */
  unreachable(error: unknown): void;
  /** Trouble worth remembering for stats. */
  trouble(what: string): void;
  warn(message: string): void;
}

/** Reopening waits at most this long, whatever `retry` the server set (ms). */
const MAX_RETRY_MS = 30_000;

/**
 * The GET stream of a legacy Streamable HTTP session, for messages the
 * server sends on its own: opened once the session is initialized, reopened
 * with `Last-Event-ID` after the server's `retry` when it ends; a 405 (or any
 * refusal) means the server offers none, and it is not asked again.
 */
export class ServerEventStream {
  private exchange: Exchange | undefined;
  private allowed = true;
  private lastEventId = "";
  private retryMs: number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** A 404 made the host open a new session and no stream has opened since: another 404 is a refusal, not a lost session. */
  private lossPending = false;

  constructor(
    private readonly host: EventStreamHost,
    defaultRetryMs: number,
  ) {
    this.retryMs = defaultRetryMs;
  }

  /** The stream is open now. */
  get isOpen(): boolean {
    return this.exchange !== undefined;
  }

  /** The server's `retry` (from any of its streams) for the next reopening. */
  setRetry(ms: number): void {
    this.retryMs = ms;
  }

  /** Open the stream unless it is open, or the server offers none; `resent`: the second try after a stale pooled connection. */
  open(resent = false): void {
    if (!this.allowed || this.exchange || !this.host.live()) return;
    const headers = this.host.headers({ accept: "text/event-stream" });
    if (this.lastEventId !== "") headers["last-event-id"] = this.lastEventId;
    const exchange = sendRequest(this.host.endpoint, "GET", this.host.endpoint.url, headers);
    this.exchange = exchange;
    void exchange.response.then(
      async (response) => {
        const status = response.statusCode ?? 0;
        if (status < 200 || status >= 300 || mediaType(response) !== "text/event-stream") {
          response.resume();
          if (this.exchange !== exchange) return;
          this.exchange = undefined;
          if (status === 404 && !this.lossPending && this.host.sessionLost()) {
            this.lossPending = true;
            return;
          }
          if (status !== 405) this.host.warn(`${this.host.label} refused its event stream (HTTP ${status}); server-initiated messages arrive only on request streams`);
          this.allowed = false;
          return;
        }
        this.lossPending = false;
        const outcome = await readEventStream(response, this.host.maxMessageBytes, this.host.sink, undefined, {
          retry: (ms) => (this.retryMs = ms),
          id: (id) => (this.lastEventId = id),
          oversized: (bytes) => this.host.warn(`${this.host.label} sent an event of ${bytes}+ bytes on its event stream, over maxMessageBytes; it was dropped`),
        });
        if (this.exchange !== exchange) return;
        this.exchange = undefined;
        if (outcome.error) this.host.trouble(`event stream broke: ${outcome.error}`);
        this.schedule();
      },
      (error: unknown) => {
        if (this.exchange !== exchange) return;
        this.exchange = undefined;
        if (!resent && isStaleSocket(exchange, error)) return this.open(true);
        this.host.unreachable(error);
      },
    );
  }

  /** Close the stream and forget any planned reopening (a new session opens it again). */
  stop(): void {
    clearTimeout(this.timer);
    this.exchange?.request.destroy();
    this.exchange = undefined;
  }

  private schedule(): void {
    if (!this.host.live()) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.open(), Math.min(this.retryMs, MAX_RETRY_MS));
    this.timer.unref?.();
  }
}
