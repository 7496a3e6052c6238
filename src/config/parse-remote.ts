import { isJsonObject, type JsonObject } from "../jsonrpc/message.js";
import { DEFAULT_REMOTE_RESTART, DEFAULT_TIMEOUT_MS } from "./defaults.js";
import type { Reader } from "./reader.js";
import { joinPath } from "./substitute-env.js";
import { parseEra } from "./parse-era.js";
import type { RemoteServerConfig, RemoteTlsConfig, RestartPolicy } from "./types.js";

const REMOTE_KEYS = ["type", "transport", "url", "headers", "tls", "timeout", "startupTimeout", "prefix", "enabled", "disabled", "restart", "description", "isolation", "roots", "maxSockets", "era", "probeTimeout"];
const TLS_KEYS = ["ca", "rejectUnauthorized"];
const RESTART_KEYS = ["maxAttempts", "initialDelay", "maxDelay"];
/** The most sockets one remote server may be given (a bound on what a typo can open). */
const MAX_SOCKETS_LIMIT = 1024;
/** Spellings of the Streamable HTTP type met in other tools' config files. */
const HTTP_TYPES = new Set(["http", "streamable-http", "streamableHttp", "streamable_http"]);

/** True for a server entry that names a remote server: a `url`, or a remote `type`. */
export function isRemoteEntry(value: unknown): value is JsonObject {
  if (!isJsonObject(value)) return false;
  const type = value["type"] ?? value["transport"];
  if (type === "stdio") return false;
  return "url" in value || type === "sse" || (typeof type === "string" && HTTP_TYPES.has(type));
}

/**
 * A remote server entry: `{ type: "http" | "sse", url, headers, tls, timeout,
 * startupTimeout, restart, prefix, enabled, maxSockets, era, probeTimeout }`. An entry with a `url` and no
 * type is Streamable HTTP with the legacy HTTP+SSE fallback (as Claude and
 * Cursor read such entries). `${VAR}` was substituted before.
 */
export function parseRemoteServer(read: Reader, obj: JsonObject, path: string): RemoteServerConfig | undefined {
  read.object(obj, path, REMOTE_KEYS);
  const rawType = obj["type"] ?? obj["transport"];
  const typeKey = obj["type"] !== undefined ? "type" : "transport";
  let type: "http" | "sse";
  if (rawType === undefined || (typeof rawType === "string" && HTTP_TYPES.has(rawType))) type = "http";
  else if (rawType === "sse") type = "sse";
  else {
    read.issues.push({ path: joinPath(path, typeKey), message: 'must be "stdio", "http" (Streamable HTTP) or "sse" (legacy HTTP+SSE)' });
    return undefined;
  }
  const url = read.string(obj, "url", path, "", { nonEmpty: true });
  if (!("url" in obj)) read.issues.push({ path: joinPath(path, "url"), message: "must be the server's http:// or https:// URL" });
  else if (url !== "" && !isHttpUrl(url)) read.issues.push({ path: joinPath(path, "url"), message: "must be an absolute http:// or https:// URL" });
  const timeoutMs = read.integer(obj, "timeout", path, DEFAULT_TIMEOUT_MS, 1, 24 * 3600_000);
  const common = {
    url,
    headers: read.stringMap(obj, "headers", path, "a header name"),
    tls: parseTls(read, obj["tls"], joinPath(path, "tls")),
    timeoutMs,
    startupTimeoutMs: read.integer(obj, "startupTimeout", path, timeoutMs, 1, 24 * 3600_000),
    prefix: read.boolean(obj, "prefix", path, true),
    enabled: read.boolean(obj, "enabled", path, true) && !read.boolean(obj, "disabled", path, false),
    restart: parseRestart(read, obj["restart"], joinPath(path, "restart")),
    // Absent: the transport's default (DEFAULT_MAX_SOCKETS, 32).
    ...("maxSockets" in obj ? { maxSockets: read.integer(obj, "maxSockets", path, 0, 1, MAX_SOCKETS_LIMIT) } : {}),
    // Filled in by parseServer (the same rule as stdio servers).
    isolation: "shared" as const,
  };
  for (const name of Object.keys(common.headers)) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) read.issues.push({ path: joinPath(joinPath(path, "headers"), name), message: "is not a valid HTTP header name" });
  }
  const server: RemoteServerConfig = type === "sse" ? { type, ...common } : { type, sseFallback: rawType === undefined, ...common };
  parseEra(read, obj, path, server, type === "sse");
  return server;
}

function parseTls(read: Reader, value: unknown, path: string): RemoteTlsConfig {
  const obj = read.object(value, path, TLS_KEYS);
  const tls: RemoteTlsConfig = { rejectUnauthorized: true };
  if (!obj) return tls;
  tls.rejectUnauthorized = read.boolean(obj, "rejectUnauthorized", path, true);
  const ca = read.optionalString(obj, "ca", path);
  if (ca !== undefined) tls.caFile = ca;
  return tls;
}

function parseRestart(read: Reader, value: unknown, path: string): RestartPolicy {
  const obj = read.object(value, path, RESTART_KEYS);
  if (!obj) return { ...DEFAULT_REMOTE_RESTART };
  return {
    maxAttempts: read.integer(obj, "maxAttempts", path, DEFAULT_REMOTE_RESTART.maxAttempts, 0, 1_000_000),
    initialDelayMs: read.integer(obj, "initialDelay", path, DEFAULT_REMOTE_RESTART.initialDelayMs, 1),
    maxDelayMs: read.integer(obj, "maxDelay", path, DEFAULT_REMOTE_RESTART.maxDelayMs, 1),
  };
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}
