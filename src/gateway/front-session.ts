import { randomUUID } from "node:crypto";
import { ErrorCode, JsonRpcError } from "../jsonrpc/errors.js";
import { isJsonObject, type JsonObject } from "../jsonrpc/message.js";
import type { IncomingRequest, JsonRpcPeer } from "../jsonrpc/peer.js";
import type { ServerCapabilities } from "../mcp/capabilities.js";
import { CATALOG_KIND_RULES, type CatalogKind } from "../mcp/catalog-kinds.js";
import { Method } from "../mcp/methods.js";
import type { Implementation } from "../mcp/types.js";
import { negotiateLegacyVersion, DEFAULT_HTTP_ASSUMED_VERSION } from "../mcp/versions.js";
import { VERSION } from "../version.js";
import type { Gateway } from "./gateway.js";
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

  constructor(gateway: Gateway, peer: JsonRpcPeer, client: ClientContext, options: FrontSessionOptions = {}) {
    this.gateway = gateway;
    this.peer = peer;
    this.client = client;
    peer.setRequestHandler(Method.Initialize, (request) => {
      const answer = this.initialize(request);
      options.onInitialize?.(client);
      return answer;
    });
    peer.setRequestHandler(Method.Ping, () => ({}));
    peer.setRequestHandler(Method.ToolsCall, (request) => this.callTool(request));
    for (const kind of ["tools", "prompts", "resources", "resourceTemplates"] as const) {
      peer.setRequestHandler(CATALOG_KIND_RULES[kind].listMethod, (request) => gateway.list(kind, request.params?.["cursor"], request.cancellation));
    }
    peer.setRequestHandler(Method.PromptsGet, (request) => getPrompt(gateway, request.params, this.contextOf(request)));
    peer.setRequestHandler(Method.ResourcesRead, (request) => readResource(gateway, request.params, this.contextOf(request)));
    peer.setRequestHandler(Method.ResourcesSubscribe, (request) => subscription(gateway, request.method, request.params, this.contextOf(request)));
    peer.setRequestHandler(Method.ResourcesUnsubscribe, (request) => subscription(gateway, request.method, request.params, this.contextOf(request)));
    peer.setRequestHandler(Method.CompletionComplete, (request) => complete(gateway, request.params, this.contextOf(request)));
    peer.setRequestHandler(Method.LoggingSetLevel, (request) => setLogLevel(gateway, request.params, this.contextOf(request)));
    peer.setRequestHandler(Method.TasksGet, (request) => gateway.tasks.get(request.params, this.contextOf(request)));
    peer.setRequestHandler(Method.TasksResult, (request) => gateway.tasks.result(request.params, this.contextOf(request)));
    peer.setRequestHandler(Method.TasksCancel, (request) => gateway.tasks.cancel(request.params, this.contextOf(request)));
    peer.setRequestHandler(Method.TasksList, (request) => gateway.tasks.list(request.params, this.contextOf(request)));
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
    this.unsubscribe = gateway.events.on("catalogChanged", (kind) => this.catalogChanged(kind));
    this.detach = gateway.attach({
      client,
      notify: (method, params) => this.notify(method, params),
      request: (method, params, options) => this.request(method, params, options),
    });
    const previous = peer.onclose;
    peer.onclose = (reason) => {
      this.dispose();
      previous?.(reason);
    };
  }

  /** Stop forwarding changes, logs and updates to this client; its log level and subscriptions end. */
  dispose(): void {
    this.unsubscribe();
    this.detach();
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
      return {
        protocolVersion: this.client.protocolVersion,
        capabilities: this.advertised as JsonObject,
        serverInfo: SERVER_INFO as JsonObject,
      };
    };
    // At once, whatever the backends are doing (a first `npx -y` may take a
    // minute): what starting backends may bring is advertised (see capabilities()).
    return answer();
  }

  private contextOf(request: IncomingRequest): CallContext {
    return new CallContext(this.client, request.id, request.cancellation, readMeta(request.params), request.notify, this.gateway.reportListenerError, request.params);
  }

  private callTool(request: IncomingRequest): Promise<JsonObject> {
    const { name, args, meta, task } = readCallParams(request.params); // throws -32602 for bad params
    const context = new CallContext(this.client, request.id, request.cancellation, meta, request.notify, this.gateway.reportListenerError, request.params);
    return this.gateway.callTool(name, args, context, task) as Promise<JsonObject>;
  }
}
