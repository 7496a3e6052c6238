import type { JsonObject } from "../jsonrpc/message.js";
import type { InputRequest } from "../mcp/modern.js";

/** Bounds of one held call. */
export interface HeldCallBounds {
  /** Backend requests waiting for the client at once; more are refused to the backend. */
  maxInputRequests: number;
  /** How long to gather backend requests that arrive close together into one answer, ms. */
  inputBatchWindowMs: number;
}

/**
 * The owner of a held call (the bridge's record of it): it turns the call's
 * steps into what the waiting client request is answered, and is told once
 * when the call has ended. An interface rather than callbacks: a call that
 * never asks for input should cost no closures.
 */
export interface HeldCallOwner {
  /** The answer to the waiting client request when the backend call has answered `result`; may throw (the client request gets the error). */
  answerResult(result: JsonObject): JsonObject;
  /** The answer when the backend asks for input (`inputRequests`, by key); may throw (the client request gets the error). */
  answerInput(inputRequests: Record<string, InputRequest>): JsonObject;
  /** Called once when the backend call has answered (result or error), before anything else, whether or not the call has ended. */
  settled(): void;
  /** Called once when the call has ended (result, error or abandoned). */
  ended(): void;
}
