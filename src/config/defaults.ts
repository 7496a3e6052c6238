import type { HttpFrontConfig, HttpResumeConfig, MrtrConfig, ProxyConfig, RestartPolicy } from "./types.js";

/** Per-request timeout of a backend. */
export const DEFAULT_TIMEOUT_MS = 60_000;
/** Longest wait for a backend's answer to the era probe (`server/discover`) before it is taken for legacy. */
export const DEFAULT_ERA_PROBE_TIMEOUT_MS = 3000;
/** Restart policy of a backend. */
export const DEFAULT_RESTART: RestartPolicy = { maxAttempts: 5, initialDelayMs: 500, maxDelayMs: 30_000 };
/**
 * Restart policy of a remote server: a server that is down is retried for as
 * long as the switchboard runs (every 30 s at most), so its tools return when
 * it answers again.
 */
export const DEFAULT_REMOTE_RESTART: RestartPolicy = { maxAttempts: 1_000_000, initialDelayMs: 500, maxDelayMs: 30_000 };
/**
 * The seed's proxy defaults; catalog requests wait up to 5 s for backends
 * still starting; lists come in one page unless proxy.pageSize is set; at most 50 per-session backend
 * processes, each stopped after 10 minutes unused.
 */
/**
 * The MRTR bridge's defaults: a held call waits 5 minutes for its client's
 * retry; 1000 held at once; 16 backend requests waiting per call; requests
 * arriving within 10 ms asked together (rounds: DEFAULT_PROXY.maxInputRounds).
 */
export const DEFAULT_MRTR_CONFIG: MrtrConfig = {
  heldCallTimeoutMs: 5 * 60_000,
  maxHeldCalls: 1000,
  maxInputRequests: 16,
  inputBatchWindowMs: 10,
};
export const DEFAULT_PROXY: ProxyConfig = {
  enabled: true,
  namespace: "proxy",
  separator: ".",
  startupWaitMs: 5000,
  pageSize: 0,
  maxSessionBackends: 50,
  sessionBackendIdleMs: 10 * 60_000,
  cacheTtlMs: 0,
  maxListens: 100,
  listenKeepAliveMs: 25_000,
  maxInputRounds: 16,
  mrtr: DEFAULT_MRTR_CONFIG,
  maxTasks: 1000,
  maxStatelessTasks: 10_000,
  maxOpenElicitations: 1024,
};
/** The HTTP front's defaults: loopback only, the seed's port and path. */
export const DEFAULT_HTTP: HttpFrontConfig = {
  host: "127.0.0.1",
  port: 8000,
  path: "/mcp",
  allowedOrigins: [],
  allowedHosts: [],
  maxBodyBytes: 4 * 1024 * 1024,
  maxSessions: 1000,
  sessionIdleMs: 30 * 60_000,
  shutdownGraceMs: 10_000,
  headersTimeoutMs: 15_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 30_000,
  maxBatchResponseBytes: 64 * 1024 * 1024,
  maxStatelessRequests: 1024,
};
/** Bytes buffered per client stream before advisory messages are shed. */
export const DEFAULT_MAX_BUFFERED_BYTES = 2 * 1024 * 1024;
/** Resumable SSE streams: 512 KiB per stream, 2 MiB per session, retry 1 s, kept 30 s without a connection, no polling. */
export const DEFAULT_RESUME: HttpResumeConfig = { bufferBytes: 512 * 1024, sessionBufferBytes: 2 * 1024 * 1024, retryMs: 1000, windowMs: 30_000, maxConnectionMs: 0 };
