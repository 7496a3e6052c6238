import type { Cancellation } from "../jsonrpc/cancellation.js";
import { isolatedSignal, type AbortListenerReporter } from "../jsonrpc/isolated-signal.js";
import type { JsonObject, JsonRpcId } from "../jsonrpc/message.js";
import type { NotifyOptions } from "../jsonrpc/peer.js";
import type { LogLevel } from "../mcp/log-levels.js";
import type { Era } from "../mcp/versions.js";
import type { Implementation } from "../mcp/types.js";

/** Which front a client came through. */
export type FrontKind = "stdio" | "http" | "embedded";

/** One client of the switchboard, as its requests know it. */
export interface ClientContext {
  /** Unique per client connection or HTTP session. */
  readonly id: string;
  readonly front: FrontKind;
  era: Era;
  /** Negotiated protocol version (legacy: at initialize). */
  protocolVersion: string;
  clientInfo: Implementation | undefined;
  capabilities: JsonObject;
  initialized: boolean;
  /**
   * A 2026-07-28 request's own log level (`_meta` logLevel), when it asked:
   * its client is that one request (and copies of it, such as a held call's).
   * Legacy clients set theirs with logging/setLevel (LogRouter).
   */
  logLevel?: LogLevel;
}

/** Everything a handler knows about the request it serves. */
export interface RequestContext {
  readonly client: ClientContext;
  readonly requestId: JsonRpcId;
  /**
   * Aborted when the client cancels, disconnects, or the switchboard shuts
   * down. A listener on it that throws is logged, never fatal.
   */
  readonly signal: AbortSignal;
  /** The same, as a light token (what is passed on to backends). */
  readonly cancellation: Cancellation;
  /** The request's `_meta`, as the client sent it. */
  readonly meta: JsonObject | undefined;
  /**
   * The request's params as the client sent them, when the front passes
   * them on: the MRTR bridge reads a modern retry's `inputResponses` and
   * `requestState` there.
   */
  readonly params?: JsonObject | undefined;
  /** Send a notification about this request to its client (progress, logs); advisory ones may be coalesced or dropped for a slow reader. */
  notify(method: string, params?: JsonObject, options?: NotifyOptions): Promise<void>;
}

/**
 * The RequestContext of one call. A class so that `signal` is a prototype
 * getter: an object literal with a getter costs V8 a new hidden class per
 * call (see ServedRequest in jsonrpc/peer.ts).
 */
export class CallContext implements RequestContext {
  private signalValue: AbortSignal | undefined = undefined;

  constructor(
    readonly client: ClientContext,
    readonly requestId: JsonRpcId,
    readonly cancellation: Cancellation,
    readonly meta: JsonObject | undefined,
    readonly notify: (method: string, params?: JsonObject, options?: NotifyOptions) => Promise<void>,
    /** Receives what a listener on `signal` threw. */
    private readonly reportListenerError: AbortListenerReporter,
    /** The request's params as the client sent them (see RequestContext.params). */
    readonly params?: JsonObject,
  ) {}

  /** Made on first use (most calls never ask), with its listeners isolated. */
  get signal(): AbortSignal {
    this.signalValue ??= isolatedSignal(this.cancellation, this.reportListenerError);
    return this.signalValue;
  }
}

/** Options of a request the switchboard sends to a client on a backend's behalf. */
export interface ClientRequestOptions {
  timeoutMs: number;
  /** Cancels it (and tells the client) when fired. */
  cancellation: Cancellation;
  /** The client's request it belongs to (over HTTP it travels on that request's stream). */
  relatedRequestId?: JsonRpcId;
}

/**
 * A connected client as the gateway reaches it outside of a request:
 * log messages, resource updates and list changes go through `notify`
 * (over HTTP, on the session's GET stream); backends' sampling,
 * elicitation and roots requests through `request`.
 */
export interface ClientSink {
  readonly client: ClientContext;
  /** Send a notification to the client; never throws (a gone client just misses it). */
  notify(method: string, params?: JsonObject): void;
  /** Send a request to the client; one that times out or is cancelled is cancelled on the client too. */
  request(method: string, params: JsonObject | undefined, options: ClientRequestOptions): Promise<JsonObject>;
  /**
   * Told when a backend's request for this client was refused because the
   * client did not declare a capability it needs (`why` says which); the MRTR
   * bridge fails the modern client's call with -32021 then.
   */
  refused?(method: string, params: JsonObject | undefined, why: string): void;
}
