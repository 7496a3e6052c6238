import type { Cancellation } from "./cancellation.js";
import { ErrorCode, JsonRpcError } from "./errors.js";
import { SwitchboardError } from "./local-error.js";
import type { JsonObject, JsonRpcId } from "./message.js";
import type { SendOptions } from "./transport.js";

/** What a request handler knows about the request it serves. */
export interface IncomingRequest {
  id: JsonRpcId;
  method: string;
  params: JsonObject | undefined;
  /** Aborted when the caller cancels the request or the connection closes (made on first use). */
  readonly signal: AbortSignal;
  /** The same as `signal`, cheaper: what the gateway passes on to backends. */
  cancellation: Cancellation;
  /**
   * The id of our own outgoing request on whose response stream this request
   * arrived (see MessageExtra), when the transport knows it: the link from a
   * backend's sampling or elicitation request to the call that caused it.
   */
  readonly relatedRequestId?: JsonRpcId | undefined;
  /**
   * The `tag` that request was sent with (RequestOptions), while it still
   * waits for its answer; undefined without a link or a tag.
   */
  readonly relatedTag?: unknown;
  /** Send a notification tied to this request (progress, logs); `advisory` ones may be coalesced or dropped for a slow reader. */
  notify(method: string, params?: JsonObject, options?: NotifyOptions): Promise<void>;
}

/**
 * The IncomingRequest a handler gets. A class, not an object literal with a
 * getter: a literal with `get signal()` makes V8 build a new hidden class per
 * request (the getter closure is part of it), and those classes and closures
 * outlived young-generation collections: ~240 bytes promoted per request and
 * regular full collections under load.
 */
export class ServedRequest implements IncomingRequest {
  constructor(
    readonly id: JsonRpcId,
    readonly method: string,
    readonly params: JsonObject | undefined,
    readonly cancellation: Cancellation,
    readonly notify: (method: string, params?: JsonObject, options?: NotifyOptions) => Promise<void>,
    readonly relatedRequestId: JsonRpcId | undefined,
    readonly relatedTag: unknown,
  ) {}

  get signal(): AbortSignal {
    return this.cancellation.signal;
  }
}

/** Options of a notification about an incoming request. */
export type NotifyOptions = Pick<SendOptions, "advisory">;

/** Serves one request method. Throw a JsonRpcError to answer with that error. */
export type RequestHandler = (request: IncomingRequest) => Promise<JsonObject> | JsonObject;
/**
 * Receives one notification method; `relatedTag`: the tag of our pending
 * request on whose response stream it arrived (PeerRequestOptions.tag), if any.
 */
export type NotificationHandler = (params: JsonObject | undefined, relatedTag?: unknown) => void;

/** Turn anything thrown by a handler into a wire error without leaking internals. */
export function toJsonRpcError(error: unknown): JsonRpcError {
  if (error instanceof JsonRpcError) return error;
  if (error instanceof SwitchboardError) return new JsonRpcError(ErrorCode.InternalError, error.message, { code: error.code });
  const message = error instanceof Error ? error.message : String(error);
  return new JsonRpcError(ErrorCode.InternalError, `Internal error: ${message}`);
}
