import { isJsonObject, type JsonObject } from "../jsonrpc/message.js";
import { McpErrorCode } from "./error-codes.js";
import { MetaKey, MODERN_VERSION } from "./modern.js";
import type { Implementation } from "./types.js";

/**
 * The client side of the modern era (MCP 2026-07-28), as the switchboard
 * speaks it to its backends: the `_meta` every request carries, the methods
 * that replaced the legacy ones, reading a DiscoverResult, and telling a
 * modern error from anything else (the era probe). Pure: no I/O, no state.
 */

/** Methods of the modern era the switchboard sends to backends. */
export const ModernMethod = {
  Discover: "server/discover",
  SubscriptionsListen: "subscriptions/listen",
  SubscriptionsAcknowledged: "notifications/subscriptions/acknowledged",
} as const;

/** What a modern request says about its client. */
export interface ModernClientMeta {
  clientInfo: Implementation;
  clientCapabilities: JsonObject;
  /** Per-request log level; absent: the request asks for no log messages. */
  logLevel?: string | undefined;
}

/**
 * `params` with the modern `_meta` keys set (protocol version, client info,
 * client capabilities, log level); other `_meta` keys (a progress token …)
 * are kept. A new object: `params` is not changed.
 */
export function withModernMeta(params: JsonObject | undefined, meta: ModernClientMeta): JsonObject {
  const previous = params?.["_meta"];
  const merged: JsonObject = {
    ...(isJsonObject(previous) ? previous : {}),
    [MetaKey.ProtocolVersion]: MODERN_VERSION,
    [MetaKey.ClientInfo]: meta.clientInfo as unknown as JsonObject,
    [MetaKey.ClientCapabilities]: meta.clientCapabilities,
  };
  if (meta.logLevel !== undefined) merged[MetaKey.LogLevel] = meta.logLevel;
  return { ...params, _meta: merged };
}

/**
 * JSON-RPC error codes only a modern server answers with: a probe answered
 * with one of them has reached a modern server (it must not fall back to
 * `initialize`).
 */
export const MODERN_ERROR_CODES: ReadonlySet<number> = new Set<number>([
  McpErrorCode.HeaderMismatch,
  McpErrorCode.MissingRequiredClientCapability,
  McpErrorCode.UnsupportedProtocolVersion,
]);

/** What a DiscoverResult tells. */
export interface DiscoverInfo {
  supportedVersions: string[];
  capabilities: JsonObject;
  serverInfo: Implementation;
  instructions?: string;
}

/**
 * Read a `server/discover` result; undefined when it is not one (no
 * `supportedVersions` array of strings).
 */
export function readDiscoverResult(result: JsonObject): DiscoverInfo | undefined {
  const versions = result["supportedVersions"];
  if (!Array.isArray(versions) || !versions.every((v): v is string => typeof v === "string")) return undefined;
  const meta = result["_meta"];
  const info = isJsonObject(meta) ? meta[MetaKey.ServerInfo] : undefined;
  const serverInfo: Implementation = isJsonObject(info)
    ? { ...info, name: String(info["name"] ?? "unknown"), version: String(info["version"] ?? "unknown") }
    : { name: "unknown", version: "unknown" };
  const discovered: DiscoverInfo = {
    supportedVersions: versions,
    capabilities: isJsonObject(result["capabilities"]) ? result["capabilities"] : {},
    serverInfo,
  };
  if (typeof result["instructions"] === "string") discovered.instructions = result["instructions"];
  return discovered;
}

/** The versions an UnsupportedProtocolVersion error names in `data.supported` (empty when it names none). */
export function supportedVersionsOf(data: unknown): string[] {
  const supported = isJsonObject(data) ? data["supported"] : undefined;
  return Array.isArray(supported) ? supported.filter((v): v is string => typeof v === "string") : [];
}
