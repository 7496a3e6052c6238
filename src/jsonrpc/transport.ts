import type { JsonRpcError } from "./errors.js";
import type { JsonRpcId, JsonRpcMessage } from "./message.js";

/** Options for one outgoing message. */
export interface SendOptions {
  /**
   * The incoming request this message belongs to (a notification about it, or
   * its response). Transports that scope streams per request (Streamable HTTP)
   * route by it; byte-stream transports ignore it.
   */
  relatedRequestId?: JsonRpcId;
  /**
   * The message is advisory (a progress report, a log line): when the
   * stream's buffer is over its bound (the reader is slow), the transport may
   * drop it, or, given a `coalesceKey`, replace a not yet written message
   * with the same key by this one. Never set on responses or requests.
   */
  advisory?: { coalesceKey?: string };
}

/** What a transport knows about an incoming message besides the message itself. */
export interface MessageExtra {
  /**
   * The id of OUR outgoing request on whose response stream the message
   * arrived (Streamable HTTP: a server's request or notification sent on the
   * SSE stream answering one of our POSTs). Absent on byte streams and on
   * streams not tied to a request.
   */
  relatedRequestId?: JsonRpcId;
}

/**
 * An already-settled send: what the hot paths answer when a message is on
 * its way and nothing needs waiting for (one shared promise, no allocation).
 */
export const SENT: Promise<void> = Promise.resolve();

/**
 * The one contract every transport implements, front or back: a duplex of
 * JSON-RPC messages. The peer on top never knows which transport it has.
 */
export interface Transport {
  /** Begin reading. Resolves once the transport can send. */
  start(): Promise<void>;
  /** Send one message; resolves when it is written or queued under the high-water mark. */
  send(message: JsonRpcMessage, options?: SendOptions): Promise<void>;
  /** Close the transport; `onclose` fires once. */
  close(): Promise<void>;
  /**
   * The incoming request `id` will get no response (it was cancelled): a
   * transport that holds something open for it (an HTTP exchange) lets go.
   */
  abandon?(id: JsonRpcId): void;
  /**
   * Flow control of input: stop delivering messages until `resumeInput()`
   * (a byte stream stops reading). Transports that cannot (HTTP, where every
   * POST arrives on its own) leave these out, and the peer answers "busy".
   */
  pauseInput?(): void;
  /** Resume delivering messages after `pauseInput()`. */
  resumeInput?(): void;
  /** A well-formed message arrived; `extra` says on which of our requests' streams, where the transport knows. */
  onmessage?: (message: JsonRpcMessage, extra?: MessageExtra) => void;
  /**
   * Input that is not a valid JSON-RPC message arrived; `id` is its id where
   * readable, and `response` says it looked like a response (so `id` names
   * one of our own requests, which must fail rather than wait).
   */
  oninvalid?: (error: JsonRpcError, id: JsonRpcId | null, response?: boolean) => void;
  /** A non-fatal problem (oversized line, write failure). */
  onerror?: (error: Error) => void;
  /** The transport closed, for whatever reason; fires once. */
  onclose?: (reason?: Error) => void;
}
