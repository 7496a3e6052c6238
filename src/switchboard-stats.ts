import type { Backend } from "./backend/backend.js";
import type { BackendStats } from "./backend/backend-types.js";
import type { ProxyConfig } from "./config/types.js";

/** The seed's proxy statistics, with per-backend detail. */
export interface ProxyStats {
  enabled: boolean;
  namespace: string;
  /** Configured backend servers. */
  servers: number;
  /** Proxied tools exposed now (those left out by a name collision or maxNameLength not counted). */
  tools: number;
  /** Local tools registered in code. */
  localTools: number;
  backends: BackendStats[];
}

/** One backend in the health report (`/healthz`). */
export interface BackendHealth {
  state: string;
  tools: number;
  restarts: number;
  /** Remote servers: the URL without user info or query values. */
  url?: string;
  transport?: "http" | "sse";
  session?: string;
  lastError?: string | null;
}

/** The health report (`GET /healthz`): each backend's state, no commands or secrets. */
export type HealthReport = {
  status: "ok" | "degraded";
  sessions: number;
  backends: Record<string, BackendHealth>;
};

/** `degraded` when a configured backend is not ready; remote servers add their URL (without credentials), session and last error, never a header. */
export function healthReport(backends: readonly Backend[], sessions: number): HealthReport {
  const report: Record<string, BackendHealth> = {};
  let degraded = false;
  for (const backend of backends) {
    const stats = backend.stats();
    const entry: BackendHealth = { state: stats.state, tools: stats.tools, restarts: stats.restarts };
    if (stats.remote) Object.assign(entry, { url: stats.remote.url, transport: stats.remote.transport, session: stats.remote.session, lastError: stats.lastError ?? stats.remote.lastError });
    report[backend.name] = entry;
    if (stats.state !== "ready" && stats.state !== "disabled") degraded = true;
  }
  return { status: degraded ? "degraded" : "ok", sessions, backends: report };
}

/** The seed's stats, counted from what is exposed (entries left out by a collision or maxNameLength are not counted). */
export function proxyStats(proxy: ProxyConfig, backends: readonly Backend[], exposed: Readonly<{ local: number; proxied: number }>): ProxyStats {
  return {
    enabled: proxy.enabled,
    namespace: proxy.namespace,
    servers: backends.length,
    tools: exposed.proxied,
    localTools: exposed.local,
    backends: backends.map((backend) => backend.stats()),
  };
}
