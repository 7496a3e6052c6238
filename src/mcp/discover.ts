import { ErrorCode, JsonRpcError } from "../jsonrpc/errors.js";
import { isJsonObject, type JsonObject } from "../jsonrpc/message.js";
import type { ServerCapabilities } from "./capabilities.js";
import { McpErrorCode } from "./error-codes.js";
import { isLogLevel, LOG_LEVELS } from "./log-levels.js";
import { TASKS_EXTENSION } from "./tasks.js";
import { MetaKey, readModernMeta, type CacheHint, type ModernRequestMeta } from "./modern.js";
import type { Implementation } from "./types.js";
import { LEGACY_VERSIONS, MODERN_VERSIONS } from "./versions.js";

/**
 * The modern era's front-side rules that need no I/O: which versions we
 * serve, what a modern request's `_meta` must hold, the capabilities a
 * modern client is told, and the `server/discover` result.
 */

/** Every version the switchboard serves, newest first: what `supportedVersions` and -32022's `data.supported` list. */
export const SUPPORTED_VERSIONS: readonly string[] = [...MODERN_VERSIONS, ...LEGACY_VERSIONS];

/**
 * Methods a modern client may call. Those the modern era removed
 * (`initialize`, `ping`, `logging/setLevel`, `resources/subscribe` and
 * `unsubscribe`) and any method not known are -32601 (HTTP 404).
 */
export const MODERN_METHODS: ReadonlySet<string> = new Set([
  "server/discover",
  "subscriptions/listen",
  "tools/list",
  "tools/call",
  "prompts/list",
  "prompts/get",
  "resources/list",
  "resources/templates/list",
  "resources/read",
  "completion/complete",
  // The tasks extension (io.modelcontextprotocol/tasks); tasks/result and tasks/list are not part of it.
  "tasks/get",
  "tasks/update",
  "tasks/cancel",
]);

/** True when a request claims the modern era: its `_meta` names a protocol version that is not a legacy one. */
export function claimsModern(params: JsonObject | undefined): boolean {
  const meta = params?.["_meta"];
  if (!isJsonObject(meta)) return false;
  const version = meta[MetaKey.ProtocolVersion];
  return version !== undefined && !(LEGACY_VERSIONS as readonly unknown[]).includes(version);
}

/** -32022: the version is not one we serve (`data.supported`, `data.requested`). */
export function unsupportedVersionError(requested: unknown): JsonRpcError {
  return new JsonRpcError(
    McpErrorCode.UnsupportedProtocolVersion,
    `Unsupported protocol version ${JSON.stringify(requested)}: this server speaks ${SUPPORTED_VERSIONS.join(", ")}; retry with one of them`,
    { supported: [...SUPPORTED_VERSIONS], requested: requested ?? null },
  );
}

/** -32021: the request needs client capabilities the request's `_meta` did not declare. */
export function missingCapabilityError(required: JsonObject, why: string): JsonRpcError {
  return new JsonRpcError(McpErrorCode.MissingRequiredClientCapability, `Missing required client capability: ${why}`, { requiredCapabilities: required });
}

/**
 * The modern `_meta` of a request, checked: a version we serve (else
 * -32022), `clientCapabilities` an object (else -32602, it is required), a
 * known log level when one is asked for (else -32602).
 */
export function checkModernMeta(method: string, params: JsonObject | undefined): ModernRequestMeta {
  const meta = readModernMeta(params) as ModernRequestMeta;
  const raw = params?.["_meta"] as JsonObject;
  const version = raw[MetaKey.ProtocolVersion];
  if (typeof version !== "string" || !(MODERN_VERSIONS as readonly string[]).includes(version)) throw unsupportedVersionError(version);
  if (!isJsonObject(raw[MetaKey.ClientCapabilities])) {
    throw new JsonRpcError(
      ErrorCode.InvalidParams,
      `Invalid params: ${method} carries no "${MetaKey.ClientCapabilities}" object in _meta; every ${version} request must declare its client capabilities (send {} for none)`,
    );
  }
  const level = raw[MetaKey.LogLevel];
  if (level !== undefined && !isLogLevel(level)) {
    throw new JsonRpcError(ErrorCode.InvalidParams, `Invalid params: _meta "${MetaKey.LogLevel}" is ${JSON.stringify(level)}; use one of ${LOG_LEVELS.join(", ")}`);
  }
  return meta;
}

/**
 * What a modern client is told the switchboard can do: the legacy
 * advertisement without `tasks` (the 2025-11-25 slot), and the tasks
 * extension under `extensions` when `tasksExtension` (a backend offers it).
 * `logging` stays (logs are asked for per request); `resources.subscribe`
 * stays (subscriptions are made with `subscriptions/listen`).
 */
export function modernCapabilities(advertised: ServerCapabilities, tasksExtension = false): ServerCapabilities {
  const { tasks: _tasks, ...rest } = advertised;
  if (!tasksExtension) return rest;
  return { ...rest, extensions: { [TASKS_EXTENSION]: {} } } as ServerCapabilities;
}

/** What `server/discover` says about the switchboard. */
export interface DiscoverInput {
  capabilities: ServerCapabilities;
  serverInfo: Implementation;
  instructions: string | undefined;
  cache: CacheHint;
}

/** The `server/discover` result (resultType and cache hint included). */
export function discoverResult(input: DiscoverInput): JsonObject {
  const result: JsonObject = {
    resultType: "complete",
    supportedVersions: [...SUPPORTED_VERSIONS],
    capabilities: input.capabilities as JsonObject,
    _meta: { [MetaKey.ServerInfo]: input.serverInfo as JsonObject },
    ttlMs: input.cache.ttlMs,
    cacheScope: input.cache.cacheScope,
  };
  if (input.instructions !== undefined) result["instructions"] = input.instructions;
  return result;
}

/**
 * A modern result: `resultType: "complete"` unless it has one (an
 * InputRequiredResult keeps its own and gets no cache hint), and the cache
 * hint when given. A copy: results may be shared objects (list pages).
 */
export function modernResult(result: JsonObject, cache: CacheHint | undefined): JsonObject {
  const type = result["resultType"];
  if (type !== undefined && type !== "complete") return result;
  // Not `{ ...result, resultType }`: in V8 a spread followed by a new key builds a fresh hidden
  // class per object (~1 µs, and JSON.stringify of it ~1.4 µs slower); a copy, then a set, does not.
  const out: JsonObject = Object.assign({}, result);
  out["resultType"] = "complete";
  if (cache !== undefined) {
    out["ttlMs"] = cache.ttlMs;
    out["cacheScope"] = cache.cacheScope;
  }
  return out;
}

/** The request `_meta` keys of the modern era: about the client, not for a backend (each backend gets its own era's _meta). */
const CLIENT_META_KEYS: readonly string[] = [MetaKey.ProtocolVersion, MetaKey.ClientInfo, MetaKey.ClientCapabilities, MetaKey.LogLevel];

/** A modern request's `_meta` without the keys about its client (what forward() passes on), or undefined when nothing is left. */
export function passedOnMeta(meta: JsonObject | undefined): JsonObject | undefined {
  if (meta === undefined) return undefined;
  let rest: JsonObject | undefined;
  // for-in rather than Object.keys: every modern request passes here, and most carry nothing to pass on.
  for (const key in meta) {
    if (!Object.hasOwn(meta, key) || CLIENT_META_KEYS.includes(key)) continue;
    (rest ??= {})[key] = meta[key] as JsonObject[string];
  }
  return rest;
}
