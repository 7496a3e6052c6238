import { randomUUID } from "node:crypto";
import { ErrorCode, JsonRpcError } from "../jsonrpc/errors.js";
import { isJsonObject, type JsonObject, type JsonRpcId } from "../jsonrpc/message.js";
import type { IncomingRequest, JsonRpcPeer } from "../jsonrpc/peer.js";
import type { ServerCapabilities } from "../mcp/capabilities.js";
import { CATALOG_KIND_RULES, type CatalogKind } from "../mcp/catalog-kinds.js";
import { Method } from "../mcp/methods.js";
import { MODERN_TASK_METHODS } from "../mcp/tasks.js";
import type { Implementation } from "../mcp/types.js";
import { negotiateLegacyVersion, DEFAULT_HTTP_ASSUMED_VERSION } from "../mcp/versions.js";
import { claimsModern, discoverResult, modernCapabilities } from "../mcp/discover.js";
import { VERSION } from "../version.js";
import type { Gateway } from "./gateway.js";
import { cacheHint, removedInModern, serveModern, type CacheSource } from "./modern-request.js";
import { LISTEN, Listen } from "./listen.js";
import { offersTasksExtension } from "./modern-tasks.js";
import { readCallParams, readMeta } from "./request-params.js";
import { CallContext, type ClientContext, type ClientRequestOptions, type FrontKind } from "./request-context.js";
import { complete, getPrompt, readResource, setLogLevel, subscription } from "./surface-requests.js";

/** Who the switchboard says it is to its clients. */
export const SERVER_INFO: Implementation = { name: "mcp-switchboard", version: VERSION };

/** A new client context for a front. */
export function newClientContext(front: FrontKind): ClientContext {
  return {
    id: randomUUID(),
    front,
    era: "legacy",
    protocolVersion: DEFAULT_HTTP_ASSUMED_VERSION,
    clientInfo: undefined,
    capabilities: {},
    initialized: false,
  };
}

/** Options of one served client. */
export interface FrontSessionOptions {
  /** Called after a successful `initialize` (the HTTP front mints its session here). */
  onInitialize?: (client: ClientContext) => void;
  /**
   * The peer carries only modern (stateless) requests of many clients (the
   * HTTP front's stateless endpoint): the connection is no client, so it is
   * neither attached to the gateway nor told of catalog changes.
   */
  stateless?: boolean;
  /** The id a request's client sent, from the id the peer serves it under (the stateless HTTP side renumbers requests); default: the same. */
  wireId?: (id: JsonRpcId) => JsonRpcId;
}

/** The capability that must have been advertised for a client to hear a kind's list_changed. */
const CAPABILITY_OF: { readonly [K in CatalogKind]: "tools" | "prompts" | "resources" } = {
  tools: "tools",
  prompts: "prompts",
  resources: "resources",
  resourceTemplates: "resources",
};

/**
 * One client of the switchboard, on any transport: the MCP server side of the
 * front. Registers the protocol's handlers on the peer, tells the client
 * about catalog changes of the kinds it was advertised, and receives the
 * logs and resource updates meant for it.
 */
export class FrontSession {
  readonly client: ClientContext;
  readonly peer: JsonRpcPeer;
  private readonly gateway: Gateway;
  private readonly unsubscribe: () => void;
  private readonly detach: () => void;
  private advertised: ServerCapabilities = {};
  private readonly pendingChanges = new Set<string>();
  /** This connection's open `subscriptions/listen` streams (modern clients). */
  private readonly listens = new Set<Listen>();

  constructor(gateway: Gateway, peer: JsonRpcPeer, client: ClientContext, options: FrontSessionOptions = {}) {
    this.gateway = gateway;
    this.peer = peer;
    this.client = client;
    // Every handler serves both eras: a request whose _meta claims the modern
    // era gets a client of its own (serveModern); any other is this
    // connection's client's (legacy). Methods the modern era removed are
    // -32601 to a modern request.
    const legacyOnly = (handler: (request: IncomingRequest) => Promise<JsonObject> | JsonObject) => (request: IncomingRequest) =>
      claimsModern(request.params) ? removedInModern(request) : handler(request);
    peer.setRequestHandler(
      Method.Initialize,
      legacyOnly((request) => {
        const answer = this.initialize(request);
        options.onInitialize?.(client);
        return answer;
      }),
    );
    // Each run function is made once here, not per request (the hot path allocates nothing more for the era switch).
    peer.setRequestHandler(Method.Discover, this.era(() => this.discover(), "default"));
    peer.setRequestHandler(Method.Ping, legacyOnly(() => ({})));
    const wireId = options.wireId ?? ((id: JsonRpcId) => id);
    peer.setRequestHandler(LISTEN, (request) => {
      if (!claimsModern(request.params)) {
        throw new JsonRpcError(ErrorCode.MethodNotFound, `Method not found: ${LISTEN} belongs to protocol 2026-07-28; send it with that version in params._meta (a legacy session hears changes as list_changed notifications)`);
      }
      return Listen.serve(gateway, request, wireId(request.id), client.front, this.listens);
    });
    peer.setRequestHandler(Method.ToolsCall, this.era((request, context) => this.callTool(request, context)));
    for (const kind of ["tools", "prompts", "resources", "resourceTemplates"] as const) {
      peer.setRequestHandler(CATALOG_KIND_RULES[kind].listMethod, this.era((request) => gateway.list(kind, request.params?.["cursor"], request.cancellation), { kind }));
    }
    peer.setRequestHandler(Method.PromptsGet, this.era((request, context) => getPrompt(gateway, request.params, context)));
    peer.setRequestHandler(Method.ResourcesRead, this.era((request, context) => readResource(gateway, request.params, context), (request) => readSource(gateway, request.params)));
    peer.setRequestHandler(Method.ResourcesSubscribe, legacyOnly((request) => subscription(gateway, request.method, request.params, this.contextOf(request))));
    peer.setRequestHandler(Method.ResourcesUnsubscribe, legacyOnly((request) => subscription(gateway, request.method, request.params, this.contextOf(request))));
    peer.setRequestHandler(Method.CompletionComplete, this.era((request, context) => complete(gateway, request.params, context)));
    peer.setRequestHandler(Method.LoggingSetLevel, legacyOnly((request) => setLogLevel(gateway, request.params, this.contextOf(request))));
    // Tasks: 2025-11-25 for legacy sessions; the 2026-07-28 extension (no tasks/result, no tasks/list; tasks/update) for modern requests.
    peer.setRequestHandler(Method.TasksGet, this.era((request, context) => (context.client.era === "modern" ? gateway.modernTasks : gateway.tasks).get(request.params, context)));
    peer.setRequestHandler(Method.TasksResult, legacyOnly((request) => gateway.tasks.result(request.params, this.contextOf(request))));
    peer.setRequestHandler(Method.TasksCancel, this.era((request, context) => (context.client.era === "modern" ? gateway.modernTasks : gateway.tasks).cancel(request.params, context)));
    peer.setRequestHandler(MODERN_TASK_METHODS.Update, (request) => {
      if (!claimsModern(request.params)) {
        throw new JsonRpcError(ErrorCode.MethodNotFound, `Method not found: ${MODERN_TASK_METHODS.Update} belongs to the 2026-07-28 tasks extension; send it with that version in params._meta`);
      }
      return serveModern(gateway, client.front, request, (context) => gateway.modernTasks.update(request.params, context));
    });
    peer.setRequestHandler(Method.TasksList, legacyOnly((request) => gateway.tasks.list(request.params, this.contextOf(request))));
    peer.setNotificationHandler(Method.Initialized, () => {
      client.initialized = true;
    });
    peer.setNotificationHandler(Method.RootsListChanged, () => gateway.rootsChanged(client.id));
    peer.setNotificationHandler(Method.Cancelled, (params) => {
      const id = params?.["requestId"];
      if (typeof id === "string" || typeof id === "number") {
        const reason = typeof params?.["reason"] === "string" ? params["reason"] : "cancelled by the client";
        peer.cancelIncoming(id, reason);
      }
    });
    if (options.stateless) {
      this.unsubscribe = () => undefined;
      this.detach = () => undefined;
    } else {
      this.unsubscribe = gateway.events.on("catalogChanged", (kind) => this.catalogChanged(kind));
      this.detach = gateway.clients.attach({
        client,
        notify: (method, params) => this.notify(method, params),
        request: (method, params, options) => this.request(method, params, options),
      });
    }
    const previous = peer.onclose;
    peer.onclose = (reason) => {
      this.dispose();
      previous?.(reason);
    };
  }

  /** Stop forwarding changes, logs and updates to this client; its log level, subscriptions and listens end. */
  dispose(): void {
    for (const listen of [...this.listens]) listen.end();
    this.unsubscribe();
    this.detach();
  }

  /**
   * End this connection's listens gracefully (shutdown): each is answered
   * with its completion result; resolves once those answers had a turn to
   * be written.
   */
  async endListens(): Promise<void> {
    if (this.listens.size === 0) return;
    for (const listen of [...this.listens]) listen.end();
    await new Promise((resolve) => setImmediate(resolve));
  }

  private notify(method: string, params?: JsonObject): void {
    if (this.peer.isOpen) void this.peer.notify(method, params).catch(() => undefined);
  }

  /**
   * A request to the client on a backend's behalf; when it times out or is
   * cancelled, the client is told with `notifications/cancelled` (on the
   * stream of the request it belongs to, if any).
   */
  private request(method: string, params: JsonObject | undefined, options: ClientRequestOptions): Promise<JsonObject> {
    const related = options.relatedRequestId;
    return this.peer.request(method, params, {
      ...options,
      onAbandon: (id, reason) =>
        void this.peer.notify(Method.Cancelled, { requestId: id, reason }, related === undefined ? undefined : { relatedRequestId: related }).catch(() => undefined),
    });
  }

  /** A catalog changed: its list_changed, once per notification method per turn, if the client was advertised the kind. */
  private catalogChanged(kind: CatalogKind): void {
    if (!this.client.initialized || this.advertised[CAPABILITY_OF[kind]] === undefined) return;
    const method = CATALOG_KIND_RULES[kind].listChangedMethod;
    if (this.pendingChanges.has(method)) return;
    this.pendingChanges.add(method);
    // resources and resourceTemplates change together: one notifications/resources/list_changed.
    queueMicrotask(() => {
      this.pendingChanges.delete(method);
      this.notify(method);
    });
  }

  /** Answer initialize at once, advertising what the backends declared and what those still starting may bring. */
  private initialize(request: IncomingRequest): JsonObject {
    const params = request.params;
    if (!params || typeof params["protocolVersion"] !== "string") {
      throw new JsonRpcError(ErrorCode.InvalidParams, 'Invalid params: initialize needs "protocolVersion", a string');
    }
    this.client.protocolVersion = negotiateLegacyVersion(params["protocolVersion"]);
    this.client.era = "legacy";
    const info = params["clientInfo"];
    if (isJsonObject(info) && typeof info["name"] === "string") {
      this.client.clientInfo = { ...info, name: info["name"], version: String(info["version"] ?? "") };
    }
    this.client.capabilities = isJsonObject(params["capabilities"]) ? params["capabilities"] : {};
    const answer = (): JsonObject => {
      this.advertised = this.gateway.capabilities(this.client.protocolVersion);
      const result: JsonObject = {
        protocolVersion: this.client.protocolVersion,
        capabilities: this.advertised as JsonObject,
        serverInfo: SERVER_INFO as JsonObject,
      };
      const instructions = this.gateway.modern.instructions;
      if (instructions !== undefined) result["instructions"] = instructions;
      return result;
    };
    // At once, whatever the backends are doing (a first `npx -y` may take a
    // minute): what starting backends may bring is advertised (see capabilities()).
    return answer();
  }

  /**
   * The handler of a method served in both eras: a modern request through
   * serveModern (its own client, `resultType`, the cache hint of `cache`),
   * any other with this connection's client.
   */
  private era(
    run: (request: IncomingRequest, context: CallContext) => Promise<JsonObject> | JsonObject,
    cache?: CacheSource | ((request: IncomingRequest) => CacheSource),
  ): (request: IncomingRequest) => Promise<JsonObject> | JsonObject {
    const gateway = this.gateway;
    const front = this.client.front;
    return (request) => {
      if (!claimsModern(request.params)) return run(request, this.contextOf(request));
      return serveModern(gateway, front, request, (context) => run(request, context), typeof cache === "function" ? cache(request) : cache);
    };
  }

  /** `server/discover`, to either era: the versions we serve, what a modern client is told we can do, who we are. */
  private discover(): JsonObject {
    const modern = this.gateway.modern;
    return discoverResult({
      capabilities: modernCapabilities(this.gateway.capabilities(), offersTasksExtension(this.gateway.backends)),
      serverInfo: SERVER_INFO,
      instructions: modern.instructions,
      cache: cacheHint(this.gateway, "default"),
    });
  }

  private contextOf(request: IncomingRequest): CallContext {
    return new CallContext(this.client, request.id, request.cancellation, readMeta(request.params), request.notify, this.gateway.reportListenerError, request.params);
  }

  private callTool(request: IncomingRequest, context: CallContext): Promise<JsonObject> {
    const { name, args, task } = readCallParams(request.params); // throws -32602 for bad params
    return this.gateway.callTool(name, args, context, task) as Promise<JsonObject>;
  }
}

/** The backend a `resources/read` goes to (its hint makes the result's cache hint); local or unknown: the default. */
function readSource(gateway: Gateway, params: JsonObject | undefined): CacheSource {
  const uri = params?.["uri"];
  if (typeof uri !== "string") return "default";
  const route = gateway.catalogs.resources.resolve(uri, gateway.catalogs.resourceTemplates);
  if (route?.kind !== "backend") return "default";
  const backend = gateway.backend(route.source.name);
  return backend ? { backends: [backend] } : "default";
}
