import type { JsonObject } from "../jsonrpc/message.js";
import { DEFAULT_ERA_PROBE_TIMEOUT_MS } from "./defaults.js";
import type { Reader } from "./reader.js";
import { joinPath } from "./substitute-env.js";
import type { ServerSettings } from "./types.js";

/**
 * `era` ("auto", "legacy", "modern") and `probeTimeout` (ms) of a stdio or
 * Streamable HTTP server, set on `server`. A legacy HTTP+SSE server
 * (`sse`: true) has no modern era: "modern" is refused there.
 */
export function parseEra(read: Reader, obj: JsonObject, path: string, server: ServerSettings, sse = false): void {
  const era = obj["era"];
  if (sse && era === "modern") read.issues.push({ path: joinPath(path, "era"), message: 'cannot be "modern" for a legacy HTTP+SSE ("sse") server; use type "http" for a 2026-07-28 server' });
  else if (era === "auto" || era === "legacy" || era === "modern") server.era = era;
  else if (era !== undefined) read.issues.push({ path: joinPath(path, "era"), message: '"auto" (probe with server/discover at each start), "legacy" (initialize, no probe) or "modern"' });
  if (obj["probeTimeout"] !== undefined) server.probeTimeoutMs = read.integer(obj, "probeTimeout", path, DEFAULT_ERA_PROBE_TIMEOUT_MS, 1, 600_000);
}
