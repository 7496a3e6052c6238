import { randomBytes } from "node:crypto";
import type { Backend } from "../backend/backend.js";
import { DEFAULT_PROXY } from "../config/defaults.js";
import { Emitter } from "../events/emitter.js";
import type { Cancellation } from "../jsonrpc/cancellation.js";
import type { JsonRpcError } from "../jsonrpc/errors.js";
import type { JsonObject } from "../jsonrpc/message.js";
import type { Logger } from "../log/logger.js";
import type { ServerCapabilities } from "../mcp/capabilities.js";
import { advertisedFor } from "./advertised.js";
import { CATALOG_KINDS, CATALOG_KIND_RULES, type CatalogKind, type ExposurePolicy } from "../mcp/catalog-kinds.js";
import { CursorCodec } from "../mcp/cursor.js";
import { Method } from "../mcp/methods.js";
import { serverPrefix, type NamingPolicy } from "../mcp/naming.js";
import { rewriteToolResultUris } from "../mcp/result-uris.js";
import type { CallToolResult, Tool } from "../mcp/types.js";
import { DEFAULT_URI_MAPPING, mapUri, uriPrefix, type UriMapping } from "../mcp/uri-mapping.js";
import type { CatalogRoute } from "./catalog.js";
import { listPage, unknownNameError } from "./list-page.js";
import { CatalogSet, type LocalHandlers } from "./catalog-set.js";
import { callLocalTool, type LocalToolDefinition, type LocalToolHandler } from "./local-tool.js";
import { LogRouter } from "./log-router.js";
import { DEFAULT_MODERN, type ModernOptions } from "./modern-options.js";
import type { SessionBackends } from "./backend-pool.js";
import { MrtrBridge, type MrtrOptions } from "./mrtr-bridge.js";
import { routedCall } from "./routed-call.js";
import { ServerRequests } from "./server-requests.js";
import { AttachedClients } from "./attached-clients.js";
import { backendNotification } from "./backend-notifications.js";
import type { RequestContext } from "./request-context.js";
import { waitForStartup } from "./startup-wait.js";
import { Subscriptions } from "./subscriptions.js";
import { ModernTaskRouter, type ModernTaskOptions } from "./modern-tasks.js";
import { TaskRouter, type TaskRouterOptions } from "./tasks.js";

export { toWireError } from "./forward.js";
export { readCallParams } from "./request-params.js";

/** What the gateway tells its listeners (`gateway.events.on(…)`); a listener that throws is logged, never fatal. */
export interface GatewayEvents {
  /** The exposed catalog of `kind` changed (coalesced: one event per kind per event-loop turn). */
  catalogChanged: [kind: CatalogKind];
}

/** Options of the gateway beside its naming. */
export interface GatewayOptions {
  /** How long a request that needs the catalog waits for backends still starting, ms (0 = not at all). */
  startupWaitMs?: number;
  /** Items per page of every aggregated list (default 0: one page, as `proxy.pageSize`). */
  pageSize?: number;
  /** How resource URIs are exposed (default `switchboard://{server}/{uri}`). */
  uris?: UriMapping;
  /** Bounds of the task routing (tasks kept per client session, tasks per tasks/list page). */
  tasks?: TaskRouterOptions;
  /** Bounds of the tasks extension carried for modern clients. */
  modernTasks?: ModernTaskOptions;
  /** Bounds and key of the MRTR bridge (modern clients' input rounds). */
  mrtr?: Partial<MrtrOptions>;
  /** Modern-era (2026-07-28) front settings: cache hints, discover instructions, listen bounds. */
  modern?: Partial<ModernOptions>;
  /** Input rounds (MRTR) answered for a legacy client on one call to a modern backend before it is given up (default 16). */
  maxInputRounds?: number;
  /** URL-mode elicitations remembered for their completion notification (default DEFAULT_MAX_OPEN_ELICITATIONS). */
  maxOpenElicitations?: number;
}

/**
 * The routing core shared by every front: one catalog per kind over local
 * entries and backends, dispatch of tool calls (prompts, resources and
 * completions are in surface-requests.ts), change events, logging and
 * resource subscriptions across clients.
 */

export class Gateway {
  readonly policy: NamingPolicy;
  /** Naming of every kind: name prefixes and the URI mapping. */
  readonly exposure: ExposurePolicy;
  readonly catalogs: CatalogSet;
  /** Logging levels and messages across clients. */
  readonly logs: LogRouter;
  /** Resource subscriptions across clients. */
  readonly subscriptions: Subscriptions;
  /** Catalog events for fronts, health and metrics; listeners are isolated. */
  readonly events: Emitter<GatewayEvents>;
  /** Backends' requests to clients (sampling, elicitation, roots), routed to the client that caused them. */
  readonly serverRequests: ServerRequests;
  /** Tasks (2025-11-25): task ids mapped per client session and routed to their backends. */
  readonly tasks: TaskRouter;
  /** The tasks extension (2026-07-28) for modern clients: task ids mapped and routed to their backends. */
  readonly modernTasks: ModernTaskRouter;
  /** Modern clients' calls across MRTR rounds: backends' requests held and asked as input_required. */
  readonly bridge: MrtrBridge;
  /** The processes of session-isolated servers (set by the switchboard; without it such servers are not reachable). */
  sessions: SessionBackends | undefined;
  private readonly logger: Logger;
  private readonly codec = new CursorCodec(randomBytes(32));
  /** The clients reached besides a request's own answer (sessions, listens, modern requests while they run). */
  readonly clients = new AttachedClients((clientId) => this.forget(clientId));
  private backendList: Backend[] = [];
  private backendsByName = new Map<string, Backend>();
  private unwatchBackends: Array<() => void> = [];
  private pendingKinds = new Set<CatalogKind>();
  /** Grows with every request served (for idle detection). */
  activity = 0;
  /** How long a request that needs the catalog waits for backends still starting, ms; 0 = answer at once with what is ready. */
  startupWaitMs: number;
  /** Items per page of every aggregated list. */
  pageSize: number;
  /** Modern-era (2026-07-28) front settings. */
  modern: ModernOptions;
  /** Input rounds (MRTR) answered for a legacy client on one call to a modern backend (gateway/mrtr-fulfil.ts). */
  maxInputRounds: number;

  constructor(policy: NamingPolicy, logger: Logger, options: GatewayOptions = {}) {
    this.policy = policy;
    this.logger = logger;
    this.startupWaitMs = options.startupWaitMs ?? DEFAULT_PROXY.startupWaitMs;
    this.pageSize = options.pageSize ?? DEFAULT_PROXY.pageSize;
    this.modern = { ...DEFAULT_MODERN, ...options.modern };
    this.maxInputRounds = options.maxInputRounds ?? DEFAULT_PROXY.maxInputRounds;
    this.exposure = { naming: policy, uris: options.uris ?? DEFAULT_URI_MAPPING };
    this.catalogs = new CatalogSet(this.exposure);
    this.logs = new LogRouter(logger);
    this.subscriptions = new Subscriptions(logger);
    this.events = new Emitter<GatewayEvents>((error, event) => this.reportListenerError(error, `a ${event} listener`));
    // A held call of the bridge is a client of its own: backends' requests made for it reach it there.
    this.serverRequests = new ServerRequests((clientId) => this.clients.get(clientId) ?? this.bridge.sinkOf(clientId), logger, options.maxOpenElicitations);
    this.bridge = new MrtrBridge(this.serverRequests, logger, options.mrtr);
    this.tasks = new TaskRouter(this, (clientId) => this.clients.get(clientId), options.tasks);
    this.modernTasks = new ModernTaskRouter(this, options.modernTasks);
  }

  /** Log what a listener (an event subscriber, a local tool's abort listener) threw; the gateway goes on. */
  readonly reportListenerError = (error: unknown, what = "an abort listener of a local tool"): void => {
    this.logger.error(`${what} threw (ignored, the switchboard goes on): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  };

  /** Backends in config order. */
  get backends(): readonly Backend[] {
    return this.backendList;
  }

  /** The backend named `name`. */
  backend(name: string): Backend | undefined {
    return this.backendsByName.get(name);
  }

  /** Every exposed tool, local first. */
  get tools(): readonly Tool[] {
    return this.catalogs.tools.entries as readonly Tool[];
  }

  /** Exposed tools by origin: local, and proxied from backends. */
  get exposedCounts(): Readonly<{ local: number; proxied: number }> {
    return this.catalogs.tools.counts;
  }

  /** Number of listeners (front sessions) of catalog changes. */
  get subscriberCount(): number {
    return this.events.listenerCount("catalogChanged");
  }

  private forget(clientId: string): void {
    this.logs.forget(clientId, this.backendList);
    this.subscriptions.forget(clientId);
    this.tasks.forget(clientId);
    void this.sessions?.releaseClient(clientId);
  }

  /** The client's roots changed: its session processes are told (shared ones never see a client's roots). */
  rootsChanged(clientId: string): void {
    this.sessions?.notifyClient(clientId, Method.RootsListChanged);
  }

  /** A session process's notification: logs and elicitation completions go to its one client (backend-notifications.ts). */
  sessionNotification(backend: Backend, clientId: string, method: string, params: JsonObject | undefined, relatedTag?: unknown): void {
    backendNotification(this, this.logger, backend, method, params, relatedTag, clientId);
  }

  /**
   * What the switchboard advertises now: each kind any backend declared (at
   * its last handshake) or a local entry serves, `logging` always (the
   * switchboard answers logging/setLevel itself), `tasks` as the backends
   * declare it to a client speaking 2025-11-25 or later (`protocolVersion`;
   * unknown: as the latest).
   */
  capabilities(protocolVersion?: string): ServerCapabilities {
    return advertisedFor(this.backendList, (kind) => this.catalogs.localCount(kind), protocolVersion);
  }


  /** Resolves once no backend is still starting, or after `startupWaitMs` (never rejects). */
  whenStarted(cancellation?: Cancellation): Promise<void> | undefined {
    const starting = this.startingFor("tools");
    if (starting.length === 0 || this.startupWaitMs === 0) return undefined;
    return waitForStartup(starting, this.startupWaitMs, cancellation);
  }

  /**
   * One page of the aggregated list of `kind`. The first page waits for
   * backends still starting (at most `startupWaitMs`); a page that holds the
   * whole list is the shared list result. A forged or stale cursor is -32602.
   */
  list(kind: CatalogKind, cursor: unknown, cancellation?: Cancellation): JsonObject | Promise<JsonObject> {
    this.activity++;
    if (cursor !== undefined && cursor !== null) return listPage(this.catalogs.get(kind), kind, cursor, this.codec, this.pageSize);
    const waiting = this.whenStarted(cancellation);
    return waiting ? waiting.then(() => listPage(this.catalogs.get(kind), kind, undefined, this.codec, this.pageSize)) : listPage(this.catalogs.get(kind), kind, undefined, this.codec, this.pageSize);
  }

  /** The `tools/list` first page (see list()). */
  listTools(cancellation?: Cancellation): JsonObject | Promise<JsonObject> {
    return this.list("tools", undefined, cancellation);
  }

  /** Register a local tool; refuses bad names and collisions with a clear error. */
  addLocalTool(definition: LocalToolDefinition, handler: LocalToolHandler): void {
    const tool: Tool = { ...definition, name: definition.name, inputSchema: definition.inputSchema ?? { type: "object", properties: {} } };
    this.addLocal("tools", tool, handler);
  }

  /** Register a local entry of `kind` (its identity field is its exposed identity); refuses bad identities and collisions. */
  addLocal<K extends CatalogKind>(kind: K, entry: JsonObject, handler: LocalHandlers[K]): void {
    this.catalogs.addLocal(kind, entry, handler, this.backendList, (message) => this.logger.warn(message));
    this.refresh(kind);
  }

  /** Replace the backend set (the caller starts and stops them); their catalog changes rebuild the catalogs. */
  setBackends(backends: Backend[]): void {
    this.catalogs.checkLocals(backends);
    for (const unwatch of this.unwatchBackends) unwatch();
    this.backendList = backends;
    this.backendsByName = new Map(backends.map((backend) => [backend.name, backend]));
    this.unwatchBackends = backends.flatMap((backend) => [
      backend.events.on("catalogChanged", (kind) => this.refresh(kind)),
      backend.events.on("notification", (method, params, relatedTag) => backendNotification(this, this.logger, backend, method, params, relatedTag)),
      backend.events.on("stateChanged", (state) => {
        if (state !== "ready") return;
        this.logs.apply(backend);
        this.subscriptions.renew(backend);
      }),
    ]);
    for (const kind of CATALOG_KINDS) this.refresh(kind);
  }

  /** Rebuild the catalog of `kind` and tell listeners (coalesced per kind within one event-loop turn). */
  refresh(kind: CatalogKind): void {
    for (const problem of this.catalogs.rebuild(kind, this.backendList)) this.logger.warn(problem);
    if (this.pendingKinds.size === 0) {
      // Coalesce: fifty backends becoming ready at once send one list_changed per kind.
      setImmediate(() => {
        const kinds = [...this.pendingKinds];
        this.pendingKinds.clear();
        for (const changed of kinds) this.events.emit("catalogChanged", changed);
      });
    }
    this.pendingKinds.add(kind);
  }

  /**
   * Call an exposed tool on behalf of a client. Not an async function: this is
   * the hot path, and each async frame costs an allocation per call (measured:
   * ~0.6 KB per call for one such layer).
   */
  callTool(name: string, args: JsonObject, context: RequestContext, task?: JsonObject): Promise<CallToolResult> {
    this.activity++;
    const route = this.catalogs.tools.lookup(name);
    if (route) return this.dispatchTool(route, args, context, task);
    const waiting = this.waitFor("tools", name, context.cancellation);
    if (!waiting) return Promise.reject(this.unknownName("tools", name));
    return waiting.then(() => {
      const found = this.catalogs.tools.lookup(name);
      return found ? this.dispatchTool(found, args, context, task) : Promise.reject(this.unknownName("tools", name));
    });
  }

  private dispatchTool(route: CatalogRoute<LocalToolHandler>, args: JsonObject, context: RequestContext, task: JsonObject | undefined): Promise<CallToolResult> {
    const modern = context.client.era === "modern";
    // A task-augmented call is answered with a CreateTaskResult, not a CallToolResult.
    // (A modern client's legacy `task` param is ignored: in 2026-07-28 the server decides.)
    if (task !== undefined && !modern) return this.tasks.callTool(route, args, task, context) as Promise<CallToolResult>;
    if (route.kind === "local") return callLocalTool(route.local.handler, args, context);
    const backend = this.backendsByName.get(route.source.name) as Backend;
    const params = { name: route.identity, arguments: args };
    const uris = this.exposure.uris;
    const mapUris = backend.prefixed ? (result: JsonObject) => rewriteToolResultUris(result, (uri) => mapUri(uris, backend.name, uri)) : undefined;
    // The tasks extension: a modern backend's task, or a legacy backend's task translated.
    if (modern) return this.modernTasks.callTool(backend, params, context, mapUris) as Promise<CallToolResult>;
    return routedCall(this, backend, Method.ToolsCall, params, context, mapUris) as Promise<CallToolResult>;
  }

  /**
   * When an exposed identity of `kind` is not routed (yet) and a backend still
   * starting may own it, a promise of its start (at most startupWaitMs);
   * else undefined.
   */
  waitFor(kind: CatalogKind, exposed: string, cancellation?: Cancellation): Promise<void> | undefined {
    const starting = this.startingFor(kind, exposed);
    if (starting.length === 0 || this.startupWaitMs === 0) return undefined;
    return waitForStartup(starting, this.startupWaitMs, cancellation);
  }

  /** Backends still starting (that may own the exposed identity `exposed` of `kind`, when given). */
  private startingFor(kind: CatalogKind, exposed?: string): Backend[] {
    return this.backendList.filter(
      (backend) => backend.isStarting && (exposed === undefined || !backend.prefixed || exposed.startsWith(this.prefixOf(kind, backend.name))),
    );
  }

  private prefixOf(kind: CatalogKind, server: string): string {
    return CATALOG_KIND_RULES[kind].rule === "name" ? serverPrefix(this.policy, server) : uriPrefix(this.exposure.uris, server);
  }

  /** -32602 for a name no catalog of `kind` routes, saying whether its backend is down. */
  unknownName(kind: "tools" | "prompts", name: string): JsonRpcError {
    return unknownNameError(kind, name, this.backendList, (server) => this.prefixOf(kind, server));
  }
}
