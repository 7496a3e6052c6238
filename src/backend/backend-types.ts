import type { JsonObject } from "../jsonrpc/message.js";
import type { RequestHandler, RequestOptions } from "../jsonrpc/peer.js";
import type { Logger } from "../log/logger.js";
import type { CatalogKind } from "../mcp/catalog-kinds.js";
import type { Era } from "../mcp/versions.js";
import type { StopLadder } from "./child-process.js";
import type { RemoteStatus } from "../transport/remote-end.js";
import type { Connector } from "./connector.js";
import type { ProgressListener } from "./progress-tokens.js";

export type { CatalogKind } from "../mcp/catalog-kinds.js";

/** Where a backend is in its life. */
export type BackendState = "starting" | "ready" | "restarting" | "failed" | "stopped" | "disabled";

/** What a backend tells its listeners (`backend.events.on(…)`); a listener that throws is logged, never fatal. */
export interface BackendEvents {
  /** The backend moved from `previous` to `state`. */
  stateChanged: [state: BackendState, previous: BackendState];
  /** A catalog changed (listed, re-listed, or emptied because the backend is down). */
  catalogChanged: [kind: CatalogKind];
  /**
   * A notification the backend layer does not handle itself (logging, resource
   * updates …); `relatedTag`: the tag of the forwarded request on whose
   * response stream it arrived (Streamable HTTP), which ties it to that call.
   */
  notification: [method: string, params: JsonObject | undefined, relatedTag?: unknown];
}

/** Shared settings of every backend. */
export interface BackendOptions {
  logger: Logger;
  maxMessageBytes: number;
  stopLadder?: StopLadder;
  /** A run this long resets the consecutive-failure count. */
  stableAfterMs?: number;
  /** Parent environment (tests pass their own). */
  parentEnv?: NodeJS.ProcessEnv;
  /** How to reach the server (default: the connector its config names). */
  connector?: Connector;
  /**
   * Serves requests the backend sends us other than `ping` (sampling,
   * elicitation, roots); without it they are answered -32601.
   */
  onServerRequest?: RequestHandler;
  /** Client capabilities declared to the backend at its handshake (default none). */
  clientCapabilities?: JsonObject;
}

/** Per-backend figures for stats and health. */
export interface BackendStats {
  name: string;
  state: BackendState;
  tools: number;
  prompts: number;
  resources: number;
  resourceTemplates: number;
  restarts: number;
  pid: number | null;
  protocolVersion: string | null;
  /** The era its last handshake found (modern: 2026-07-28, no initialize), null before the first. */
  era: Era | null;
  /** What era detection (the server/discover probe) added to its last start, ms; 0 without a probe. */
  probeMs: number | null;
  serverInfo: { name: string; version: string } | null;
  lastError: string | null;
  inFlight: number;
  /** Spawn to ready (handshake and first listings done) of the last successful start, ms. */
  startMs: number | null;
  /** A remote server's transport, URL (without credentials), session state and last HTTP trouble; absent for stdio. */
  remote?: RemoteStatus;
}

/** Options for one call forwarded to a backend. */
export interface ForwardOptions extends RequestOptions {
  /** Receives the backend's progress for this request. */
  onProgress?: ProgressListener;
  /**
   * The capabilities of the client this request serves: what a modern
   * backend is told in the request's `_meta` (within what the switchboard
   * can honour for the server); without them, those it was declared at start.
   */
  clientCapabilities?: JsonObject;
}
