import { isJsonObject, type JsonObject } from "../jsonrpc/message.js";
import { MODERN_VERSIONS } from "./versions.js";

/**
 * The vocabulary of the modern era (MCP 2026-07-28): the reserved `_meta`
 * keys, result types, cache hints and the Multi Round-Trip Request (MRTR)
 * shapes. Pure: no I/O, no state.
 */

/** Reserved `_meta` keys of 2026-07-28. */
export const MetaKey = {
  ProtocolVersion: "io.modelcontextprotocol/protocolVersion",
  ClientInfo: "io.modelcontextprotocol/clientInfo",
  ClientCapabilities: "io.modelcontextprotocol/clientCapabilities",
  /** Per-request log level (replaces `logging/setLevel`). */
  LogLevel: "io.modelcontextprotocol/logLevel",
  ServerInfo: "io.modelcontextprotocol/serverInfo",
  /** On every notification of a `subscriptions/listen` stream: the listen request's id. */
  SubscriptionId: "io.modelcontextprotocol/subscriptionId",
} as const;

/**
 * Methods whose Streamable HTTP request carries `Mcp-Name`, and the params
 * field it mirrors (2026-07-28; the tasks extension adds its task methods).
 */
export const MCP_NAME_FIELD: Readonly<Record<string, "name" | "uri" | "taskId">> = {
  "tools/call": "name",
  "prompts/get": "name",
  "resources/read": "uri",
  "tasks/get": "taskId",
  "tasks/update": "taskId",
  "tasks/cancel": "taskId",
};

/** The modern version we speak. */
export const MODERN_VERSION = MODERN_VERSIONS[0];

/** `resultType` of a modern result. */
export type ResultType = "complete" | "input_required";

/** `cacheScope` of a cacheable modern result. */
export type CacheScope = "public" | "private";

/** How long and for whom a list or read result may be cached. */
export interface CacheHint {
  ttlMs: number;
  cacheScope: CacheScope;
}

/** What a modern request says about its client in `_meta`. */
export interface ModernRequestMeta {
  protocolVersion: string;
  clientCapabilities: JsonObject;
  clientInfo: JsonObject | undefined;
  logLevel: string | undefined;
}

/**
 * The modern `_meta` of a request's params, or undefined when the request
 * does not claim the modern era (no protocolVersion key). A claimed version
 * is returned as is, known or not: the caller answers -32022 for unknown ones.
 */
export function readModernMeta(params: JsonObject | undefined): ModernRequestMeta | undefined {
  const meta = params?.["_meta"];
  if (!isJsonObject(meta)) return undefined;
  const version = meta[MetaKey.ProtocolVersion];
  if (version === undefined) return undefined;
  const capabilities = meta[MetaKey.ClientCapabilities];
  const info = meta[MetaKey.ClientInfo];
  const level = meta[MetaKey.LogLevel];
  return {
    protocolVersion: typeof version === "string" ? version : String(version),
    clientCapabilities: isJsonObject(capabilities) ? capabilities : {},
    clientInfo: isJsonObject(info) ? info : undefined,
    logLevel: typeof level === "string" ? level : undefined,
  };
}

/** One server-to-client request carried inside an InputRequiredResult. */
export interface InputRequest {
  method: string;
  params?: JsonObject;
}

/** `resultType: "input_required"`: the client must answer `inputRequests` and retry with `requestState`. */
export interface InputRequiredResult extends JsonObject {
  resultType: "input_required";
  inputRequests?: Record<string, InputRequest>;
  requestState?: string;
}

/** True when a result asks the client for input (MRTR). */
export function isInputRequired(result: JsonObject): boolean {
  return result["resultType"] === "input_required";
}

/** The MRTR retry fields of a request's params, when present. */
export function readRetry(params: JsonObject | undefined): { inputResponses: JsonObject | undefined; requestState: string | undefined } {
  const responses = params?.["inputResponses"];
  const state = params?.["requestState"];
  return { inputResponses: isJsonObject(responses) ? responses : undefined, requestState: typeof state === "string" ? state : undefined };
}

/**
 * The cache hint of a result composed of several parts: the smallest
 * `ttlMs`, and `private` if any part is private; a part without a hint
 * counts as `fallback`, and so does a result of no parts.
 */
export function composeCacheHints(hints: Iterable<CacheHint | undefined>, fallback: CacheHint): CacheHint {
  let ttlMs = Number.POSITIVE_INFINITY;
  let scope: CacheScope = "public";
  let any = false;
  for (const hint of hints) {
    const h = hint ?? fallback;
    any = true;
    ttlMs = Math.min(ttlMs, h.ttlMs);
    if (h.cacheScope === "private") scope = "private";
  }
  return any ? { ttlMs, cacheScope: scope } : fallback;
}

/** The cache hint a modern result carries, if it carries a well-formed one. */
export function readCacheHint(result: JsonObject): CacheHint | undefined {
  const ttl = result["ttlMs"];
  const scope = result["cacheScope"];
  if (typeof ttl !== "number" || !Number.isFinite(ttl) || ttl < 0) return undefined;
  return { ttlMs: ttl, cacheScope: scope === "private" ? "private" : "public" };
}
