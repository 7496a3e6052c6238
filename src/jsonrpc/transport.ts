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
  /** A well-formed message arrived. */
  onmessage?: (message: JsonRpcMessage) => void;
  /** Input that is not a valid JSON-RPC message arrived; `id` is its request id where readable. */
  oninvalid?: (error: JsonRpcError, id: JsonRpcId | null) => void;
  /** A non-fatal problem (oversized line, write failure). */
  onerror?: (error: Error) => void;
  /** The transport closed, for whatever reason; fires once. */
  onclose?: (reason?: Error) => void;
}
