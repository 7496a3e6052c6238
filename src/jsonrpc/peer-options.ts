import type { Cancellation } from "./cancellation.js";
import type { JsonRpcId } from "./message.js";

/** Default time a request waits for its response. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

/** Options for one outgoing request. */
export interface RequestOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  cancellation?: Cancellation;
  /** Tie the request to an incoming one (Streamable HTTP routes by it). */
  relatedRequestId?: JsonRpcId;
  /** Called, besides the peer's own `onAbandon`, when this request times out or is aborted. */
  onAbandon?: (id: JsonRpcId, reason: string) => void;
  /**
   * Kept with the request while it waits for its answer: a request the
   * remote side sends on this request's response stream reaches its handler
   * with it as `relatedTag` (who asked, for routing that request on).
   */
  tag?: unknown;
}

/** Peer options; every limit has a default. */
export interface PeerOptions {
  /** Who the remote side is, for error messages (`backend "time"`). */
  label?: string;
  requestTimeoutMs?: number;
  /** Answer invalid input with error responses (the server side of a front does). */
  answerInvalid?: boolean;
  /** Called when an outgoing request is abandoned (timeout or abort), to tell the remote side. */
  onAbandon?: (id: JsonRpcId, reason: string) => void;
  /** Non-fatal protocol trouble worth a log line. */
  onWarning?: (message: string) => void;
  /**
   * Incoming requests handled at once; more wait in arrival order. A slot is
   * freed only once the response is written, so a client that stops reading
   * holds at most this many responses in memory (default 128).
   */
  maxConcurrentIncoming?: number;
  /**
   * Incoming requests that may wait for a slot (default 1024). At the bound a
   * transport that can pause its input is paused until half the queue is
   * served; one that cannot (HTTP) has further requests answered "busy".
   */
  maxQueuedIncoming?: number;
}

/** Default of `maxConcurrentIncoming`. */
export const DEFAULT_MAX_CONCURRENT_INCOMING = 128;
/** Default of `maxQueuedIncoming`. */
export const DEFAULT_MAX_QUEUED_INCOMING = 1024;
