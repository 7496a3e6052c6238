import type { LogLevel } from "../log/logger.js";

/** How a backend is restarted after it exits unexpectedly. */
export interface RestartPolicy {
  /** Consecutive failed attempts before giving up (0 = never restart). */
  maxAttempts: number;
  /** First delay; doubles each attempt. */
  initialDelayMs: number;
  /** Cap of the delay. */
  maxDelayMs: number;
}

/** One root handed to a backend that asks `roots/list` (schema `Root`). */
export interface RootConfig {
  /** A `file://` URI. */
  uri: string;
  name?: string;
}

/**
 * How many clients one backend process serves: `shared` (one process for
 * every client) or `session` (one process per client session, started on
 * its first use, stopped with the session or when idle).
 */
export type Isolation = "shared" | "session";

/** What every server has, whatever its connector: lifecycle, naming and who its requests go to. */
export interface ServerSettings {
  /** Per-request timeout in ms. */
  timeoutMs: number;
  /** Time allowed to connect (spawn), hand-shake and list the catalog. */
  startupTimeoutMs: number;
  /** Expose names under `{namespace}{sep}{server}{sep}`; false exposes them as they are. */
  prefix: boolean;
  /** False: configured but not started. */
  enabled: boolean;
  restart: RestartPolicy;
  /** One process or connection for every client, or one per client session. */
  isolation: Isolation;
  /** Roots answered to a shared server's `roots/list`; without them roots are not declared to it. */
  roots?: RootConfig[];
  /** The server's era: probed at each start (`auto`, the default), or fixed (no probe). */
  era?: "auto" | "legacy" | "modern";
  /** Longest wait for the answer to the era probe (`server/discover`) before the server is taken for legacy, ms. */
  probeTimeoutMs?: number;
}

/** A backend server spawned as a child process and spoken to over stdio. */
export interface StdioServerConfig extends ServerSettings {
  type: "stdio";
  command: string;
  args: string[];
  cwd?: string;
  /** Variables set for the child, over the safe default set. */
  env: Record<string, string>;
  /** Pass the whole parent environment instead of the safe default set. */
  inheritEnv: boolean;
}

/** TLS settings of a remote server (verification is on unless turned off). */
export interface RemoteTlsConfig {
  /** A PEM file of CA certificates to trust (besides the system's), read when the backend is created. */
  caFile?: string;
  /** Verify the server's certificate (default true). */
  rejectUnauthorized: boolean;
}

/** What every remote server has: where it is and what to send, beside the common settings. */
export interface RemoteServerConfigBase extends ServerSettings {
  /** The server's endpoint (secrets in it are never logged). */
  url: string;
  /** Headers sent with every request (values are never logged). */
  headers: Record<string, string>;
  tls: RemoteTlsConfig;
  /** Keep-alive sockets this server may use at once (default 32; config `servers.NAME.maxSockets`). */
  maxSockets?: number;
}

/** A remote server over Streamable HTTP. */
export interface HttpServerConfig extends RemoteServerConfigBase {
  type: "http";
  /**
   * When the server refuses the `initialize` POST with a 4xx, try the legacy
   * HTTP+SSE transport at the same URL (entries with a `url` and no `type`).
   */
  sseFallback: boolean;
}

/** A remote server over the legacy HTTP+SSE transport (2024-11-05). */
export interface SseServerConfig extends RemoteServerConfigBase {
  type: "sse";
}

/** A remote server, either transport. */
export type RemoteServerConfig = HttpServerConfig | SseServerConfig;

/** Any backend server. */
export type ServerConfig = StdioServerConfig | RemoteServerConfig;

/** The HTTP front's settings. */
export interface HttpFrontConfig {
  host: string;
  port: number;
  path: string;
  /** Bearer token clients must present; undefined = no auth. */
  authToken?: string;
  /** Origins allowed besides the localhost ones. */
  allowedOrigins: string[];
  /** Host header values allowed besides the loopback ones (checked when bound to loopback). */
  allowedHosts: string[];
  maxBodyBytes: number;
  maxSessions: number;
  sessionIdleMs: number;
  /** Time in-flight requests get to finish on shutdown. */
  shutdownGraceMs: number;
  /** A client must send its whole request headers within this. */
  headersTimeoutMs: number;
  /** A client must send its whole request (headers and body) within this. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** Largest total answer to one JSON-RPC batch; answers beyond it become -32603 errors. */
  maxBatchResponseBytes: number;
  /** Modern (stateless) requests served at once over every HTTP client; more wait in a bounded queue (open listens come on top). */
  maxStatelessRequests: number;
  /** Resumable SSE streams (`server.resume`); defaults when absent. */
  resume?: HttpResumeConfig;
}

/** Resumable SSE streams of the HTTP front: what is kept for a client that reconnects with Last-Event-ID. */
export interface HttpResumeConfig {
  /** Bytes of recent events one stream keeps for replay. */
  bufferBytes: number;
  /** Bytes of recent events all streams of one session keep together. */
  sessionBufferBytes: number;
  /** The `retry` field sent to 2025-11-25 clients, ms. */
  retryMs: number;
  /** How long a stream without a connection waits for its client to resume it, ms. */
  windowMs: number;
  /** A 2025-11-25 stream's connection is closed after this long, the stream kept (SSE polling), ms; 0 = never. */
  maxConnectionMs: number;
}

/** The proxy section of the seed's config shape. */
export interface ProxyConfig {
  enabled: boolean;
  namespace: string;
  separator: string;
  /** Longest exposed tool name; longer ones are left out with a warning. */
  maxNameLength?: number;
  /** How long a request that needs the catalog waits for backends still starting, ms (0 = not at all). */
  startupWaitMs: number;
  /** Items per page of every aggregated list (tools, prompts, resources, templates). */
  pageSize: number;
  /** Per-session backend processes (isolation "session") running at once, over all servers. */
  maxSessionBackends: number;
  /** A per-session backend process unused this long (ms) is stopped; the session's next use starts another. */
  sessionBackendIdleMs: number;
  /** Modern era: `ttlMs` of list, read and discover results when the backends give no hint (0: immediately stale). */
  cacheTtlMs: number;
  /** Modern era: `instructions` of `server/discover`. */
  instructions?: string;
  /** Modern era: open `subscriptions/listen` streams at once, over all clients. */
  maxListens: number;
  /** Modern era: interval of SSE keep-alive comments on a listen stream, ms (0 = none). */
  listenKeepAliveMs: number;
  /** Input rounds (MRTR) the switchboard answers for a legacy client on one call to a modern backend. */
  maxInputRounds: number;
  /** The MRTR bridge for modern clients (proxy.requestStateKey, heldCallTimeout …); its rounds are bounded by maxInputRounds too. */
  mrtr: MrtrConfig;
  /** Tasks remembered per legacy client session (the oldest finished ones make room). */
  maxTasks: number;
  /** Tasks remembered over all modern (stateless) clients together. */
  maxStatelessTasks: number;
  /** URL-mode elicitations remembered so that their completion notification finds its client (the oldest are forgotten). */
  maxOpenElicitations: number;
}

/** The MRTR bridge's settings, read from the proxy section. */
export interface MrtrConfig {
  /** Secret the requestState key is derived from (`proxy.requestStateKey`, else env SWITCHBOARD_STATE_KEY, else random per process). */
  requestStateKey?: string;
  /** How long a held call waits for its client's retry, and how long a requestState is good for (`heldCallTimeout`), ms. */
  heldCallTimeoutMs: number;
  /** Calls held at once (`maxHeldCalls`). */
  maxHeldCalls: number;
  /** Backend requests one held call may have waiting for its client (`maxInputRequests`). */
  maxInputRequests: number;
  /** Backend requests arriving within this window are asked together (`inputBatchWindow`), ms. */
  inputBatchWindowMs: number;
}

/** A fully validated configuration, every default filled in. */
export interface SwitchboardConfig {
  proxy: ProxyConfig;
  servers: Record<string, ServerConfig>;
  server: HttpFrontConfig;
  /** Largest JSON-RPC message accepted on any stream. */
  maxMessageBytes: number;
  /** Bytes buffered per client stream before advisory messages (progress) are coalesced or dropped. */
  maxBufferedBytes: number;
  logLevel: LogLevel;
}
