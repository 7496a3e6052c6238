import type { Backend } from "../backend/backend.js";
import { ErrorCode, JsonRpcError } from "../jsonrpc/errors.js";
import { SwitchboardError } from "../jsonrpc/local-error.js";
import type { JsonObject } from "../jsonrpc/message.js";
import type { IncomingRequest } from "../jsonrpc/peer.js";
import type { RosterMember } from "../jsonrpc/roster.js";
import { shareResult } from "../jsonrpc/serialize.js";
import type { CatalogKind } from "../mcp/catalog-kinds.js";
import { checkModernMeta, modernResult, passedOnMeta } from "../mcp/discover.js";
import { shouldDeliver, type LogLevel } from "../mcp/log-levels.js";
import { McpErrorCode } from "../mcp/error-codes.js";
import { Method } from "../mcp/methods.js";
import { composeCacheHints, type CacheHint } from "../mcp/modern.js";
import type { Implementation } from "../mcp/types.js";
import type { Gateway } from "./gateway.js";
import "./modern-error-codes.js";
import { CallContext, type ClientContext, type ClientRequestOptions, type ClientSink, type FrontKind } from "./request-context.js";

/**
 * Serving one modern-era (2026-07-28) request. The design rule: era and
 * client are known per request. Each modern request gets a ClientContext
 * of its own, made from its `_meta` (era "modern", its protocol version,
 * capabilities and client info, a fresh id) — never its connection's —
 * and a ClientSink registered with the gateway while it is in flight, so
 * that logs and server-to-client requests routed to "its client" find it.
 */

/** What a modern result's cache hint is composed from: a catalog kind's backends, given backends, or nothing but the default. */
export type CacheSource = { kind: CatalogKind } | { backends: readonly Backend[] } | "default";

/**
 * The sink of one modern request. Logs (`notifications/message`) go on the
 * request's own stream, only when the request asked with
 * `io.modelcontextprotocol/logLevel`, only at or above that level, and only
 * from the backend the request went to while it is the one call in flight
 * there: a backend's log names no request, and one that cannot be tied to
 * exactly this request is not delivered (never on another request's
 * stream). Other notifications have no place (change notifications go to
 * `subscriptions/listen`). Requests cannot reach a modern client: `request()`
 * rejects with CLIENT_NOT_REQUESTABLE. This is the seam the era bridge
 * (MRTR) replaces in routed calls; nothing here holds a backend's request.
 */
export class ModernRequestSink implements ClientSink, RosterMember {
  rosterIndex = -1;
  /** The backend the request is routed to, once known (a starting backend's entry is found later). */
  private target: Backend | undefined;

  constructor(
    readonly client: ClientContext,
    private readonly served: IncomingRequest,
    private readonly gateway: Gateway,
  ) {}

  notify(method: string, params?: JsonObject): void {
    const level = this.client.logLevel;
    if (method !== Method.LoggingMessage || level === undefined) return;
    if (!shouldDeliver(params?.["level"], level)) return;
    const backend = (this.target ??= targetOf(this.gateway, this.served.method, this.served.params));
    if (backend === undefined) return;
    const logger = params?.["logger"];
    if (typeof logger !== "string" || (logger !== backend.name && !logger.startsWith(`${backend.name}/`))) return;
    if (this.gateway.serverRequests.callsInFlight(backend) !== 1) return;
    void this.served.notify(method, params).catch(() => undefined);
  }

  request(method: string, _params: JsonObject | undefined, _options: ClientRequestOptions): Promise<JsonObject> {
    return Promise.reject(
      new SwitchboardError(
        "CLIENT_NOT_REQUESTABLE",
        `${method} cannot be sent to this client: it speaks ${this.client.protocolVersion}, where a server asks its client for input only through an input_required result (MRTR), never with a request of its own`,
      ),
    );
  }
}

/** A fresh client context for one modern request. */
export function modernClient(front: FrontKind, protocolVersion: string, capabilities: JsonObject, info: JsonObject | undefined, logLevel?: LogLevel): ClientContext {
  const name = info?.["name"];
  const clientInfo: Implementation | undefined =
    typeof name !== "string" ? undefined : typeof info?.["version"] === "string" ? (info as Implementation) : { ...info, name, version: String(info?.["version"] ?? "") };
  // Unique in this process (sessions' ids are UUIDs, so the prefix keeps them apart); nothing outside the process sees it.
  return { id: `modern:${++modernClients}`, front, era: "modern", protocolVersion, clientInfo, capabilities, initialized: true, logLevel };
}

/** Modern clients made so far (their ids). */
let modernClients = 0;

/**
 * Serve a modern request with `run`: check its `_meta` (-32022 unknown
 * version, -32602 no client capabilities or a bad log level), give it its
 * own client and sink for as long as it runs, and mark the result
 * (`resultType`, and the cache hint from `cache` for list, read and
 * discover results). Not an async function: list calls are a hot path.
 */
export function serveModern(
  gateway: Gateway,
  front: FrontKind,
  request: IncomingRequest,
  run: (context: CallContext) => Promise<JsonObject> | JsonObject,
  cache?: CacheSource,
): Promise<JsonObject> | JsonObject {
  const meta = checkModernMeta(request.method, request.params);
  const level = meta.logLevel as LogLevel | undefined;
  const client = modernClient(front, meta.protocolVersion, meta.clientCapabilities, meta.clientInfo, level);
  const sink = new ModernRequestSink(client, request, gateway);
  gateway.clients.attachRequest(sink);
  if (level !== undefined) gateway.logs.setLevel(client.id, level, gateway.backends);
  const raw = request.params?.["_meta"] as JsonObject | undefined;
  // The params go along: the MRTR bridge reads a retry's inputResponses and requestState there.
  const context = new CallContext(client, request.id, request.cancellation, passedOnMeta(raw), request.notify, gateway.reportListenerError, request.params);
  // A result that answers an MRTR retry depends on inputs outside any cache key: never to be cached.
  const retry = request.params?.["requestState"] !== undefined || request.params?.["inputResponses"] !== undefined;
  const finish = (result: JsonObject): JsonObject => {
    gateway.clients.detachRequest(sink);
    return retry && cache !== undefined ? modernResult(result, NOT_CACHEABLE) : markResult(gateway, result, cache);
  };
  let outcome: Promise<JsonObject> | JsonObject;
  try {
    outcome = run(context);
  } catch (error) {
    gateway.clients.detachRequest(sink);
    throw modernError(error);
  }
  if (!(outcome instanceof Promise)) return finish(outcome);
  return outcome.then(finish, (error: unknown) => {
    gateway.clients.detachRequest(sink);
    throw modernError(error);
  });
}

/**
 * An error as a modern client must get it: 2026-07-28 reserves -32002
 * (resource not found in earlier versions, from us or a legacy backend) and
 * uses -32602 instead.
 */
function modernError(error: unknown): unknown {
  if (!(error instanceof JsonRpcError) || error.code !== McpErrorCode.ResourceNotFound) return error;
  return new JsonRpcError(ErrorCode.InvalidParams, error.message, error.data);
}

/** -32601 for a method the modern era removed (after the version check, so an unknown version still hears -32022). */
export function removedInModern(request: IncomingRequest): never {
  checkModernMeta(request.method, request.params);
  throw new JsonRpcError(
    ErrorCode.MethodNotFound,
    `Method not found: ${request.method} is not part of protocol 2026-07-28 (log levels travel in each request's _meta, resource subscriptions and change notifications come through subscriptions/listen, and there is no handshake or ping)`,
  );
}

/** The hint of a cacheable kind of result that must not be cached (an MRTR retry's). */
const NOT_CACHEABLE: CacheHint = { ttlMs: 0, cacheScope: "private" };

/** Modern variants of shared list results, per cache hint: the shared text is computed once per catalog version and hint. */
const modernVariants = new WeakMap<object, { ttlMs: number; cacheScope: string; result: JsonObject }>();

function markResult(gateway: Gateway, result: JsonObject, cache: CacheSource | undefined): JsonObject {
  if (cache === undefined) return modernResult(result, undefined);
  const hint = cacheHint(gateway, cache);
  if (typeof cache === "object" && "kind" in cache) {
    const known = modernVariants.get(result);
    if (known !== undefined && known.ttlMs === hint.ttlMs && known.cacheScope === hint.cacheScope) return known.result;
    const variant = shareResult(modernResult(result, hint));
    modernVariants.set(result, { ttlMs: hint.ttlMs, cacheScope: hint.cacheScope, result: variant });
    return variant;
  }
  return modernResult(result, hint);
}

/**
 * The cache hint of a result: composed (smallest ttlMs; private if any part
 * is) from the hints of the backends that contributed — for a list, those
 * with entries of its kind — each backend without a hint of its own counting
 * as the configured default (`proxy.cacheTtlMs`, public), a session-isolated
 * one as private (its answers depend on the caller's session).
 */
export function cacheHint(gateway: Gateway, source: CacheSource): CacheHint {
  const fallback: CacheHint = { ttlMs: gateway.modern.cacheTtlMs, cacheScope: "public" };
  if (source === "default") return fallback;
  const kind: CatalogKind = "kind" in source ? source.kind : "resources";
  const backends = "kind" in source ? gateway.backends.filter((backend) => backend.entries(kind).length > 0) : source.backends;
  const hints: Array<CacheHint | undefined> = backends.map((backend) => {
    const hint = backend.cacheHint(kind);
    // A session-isolated server's list comes from its shared listing process; what it reads depends on the session.
    return "backends" in source && backend.config.isolation === "session" ? { ...(hint ?? fallback), cacheScope: "private" } : hint;
  });
  if ("kind" in source && gateway.catalogs.localCount(kind) > 0) hints.push(fallback);
  return composeCacheHints(hints, fallback);
}

/** The backend a routed request goes to (its logs may reach the request), when a catalog names one. */
function targetOf(gateway: Gateway, method: string, params: JsonObject | undefined): Backend | undefined {
  const { tools, prompts, resources, resourceTemplates } = gateway.catalogs;
  const key = method === Method.ResourcesRead ? params?.["uri"] : params?.["name"];
  if (typeof key !== "string") return undefined;
  const route =
    method === Method.ToolsCall ? tools.lookup(key) : method === Method.PromptsGet ? prompts.lookup(key) : method === Method.ResourcesRead ? resources.resolve(key, resourceTemplates) : undefined;
  return route?.kind === "backend" ? gateway.backend(route.source.name) : undefined;
}
