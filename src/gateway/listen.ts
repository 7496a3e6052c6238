import { ErrorCode, JsonRpcError } from "../jsonrpc/errors.js";
import { SwitchboardError } from "../jsonrpc/local-error.js";
import { isJsonObject, type JsonObject, type JsonRpcId } from "../jsonrpc/message.js";
import type { IncomingRequest } from "../jsonrpc/peer.js";
import type { CatalogKind } from "../mcp/catalog-kinds.js";
import { checkModernMeta } from "../mcp/discover.js";
import { Method } from "../mcp/methods.js";
import { MetaKey } from "../mcp/modern.js";
import { mapUri } from "../mcp/uri-mapping.js";
import type { Gateway } from "./gateway.js";
import { modernClient } from "./modern-request.js";
import "./modern-error-codes.js";
import { CallContext, type ClientContext, type ClientRequestOptions, type ClientSink, type FrontKind } from "./request-context.js";

/** The method that opens a listen. */
export const LISTEN = "subscriptions/listen";

/** `notifications/subscriptions/acknowledged`: the first message of every listen. */
export const ACKNOWLEDGED = "notifications/subscriptions/acknowledged";

/** The filter of a `subscriptions/listen` request (all optional). */
export interface ListenFilter {
  toolsListChanged?: boolean;
  promptsListChanged?: boolean;
  resourcesListChanged?: boolean;
  resourceSubscriptions?: string[];
}

/** Which filter flag a catalog kind's change belongs to. */
const FLAG_OF: { readonly [K in CatalogKind]: "toolsListChanged" | "promptsListChanged" | "resourcesListChanged" } = {
  tools: "toolsListChanged",
  prompts: "promptsListChanged",
  resources: "resourcesListChanged",
  resourceTemplates: "resourcesListChanged",
};
const METHOD_OF = {
  toolsListChanged: Method.ToolsListChanged,
  promptsListChanged: Method.PromptsListChanged,
  resourcesListChanged: Method.ResourcesListChanged,
} as const;

/** Open listens per gateway: the bound `maxListens` holds over every front and client of the process. */
const openListens = new WeakMap<Gateway, Set<Listen>>();

/**
 * One `subscriptions/listen` stream (2026-07-28): acknowledged first (the
 * filter it agreed to honour), then the change notifications it opted into,
 * each with `io.modelcontextprotocol/subscriptionId` (the listen request's
 * id as its client sent it), fed by the gateway's catalog events (list
 * changes) and resource updates (its resource subscriptions, held on the
 * backends like `resources/subscribe`). It ends when its client cancels it
 * (closes the HTTP stream, or `notifications/cancelled` on stdio) or when
 * the server ends it (`end()`: answered with a completion result).
 */
export class Listen implements ClientSink {
  readonly client: ClientContext;
  private readonly pending = new Set<string>();
  private readonly cleanups: Array<() => void> = [];
  private acked: ListenFilter = {};
  private finish: ((result: JsonObject) => void) | undefined;
  private ended = false;

  private constructor(
    private readonly gateway: Gateway,
    private readonly served: IncomingRequest,
    /** The subscription id: the listen request's id as its client sent it. */
    readonly subscriptionId: JsonRpcId,
    front: FrontKind,
  ) {
    const meta = checkModernMeta(served.method, served.params);
    this.client = modernClient(front, meta.protocolVersion, meta.clientCapabilities, meta.clientInfo);
  }

  /**
   * Serve a `subscriptions/listen` request: resolves with the completion
   * result when the server ends the listen, and never before (a cancelled
   * listen's answer is not sent). `registry` collects the front's listens
   * so the front can end them on shutdown.
   */
  static serve(gateway: Gateway, request: IncomingRequest, subscriptionId: JsonRpcId, front: FrontKind, registry: Set<Listen>): Promise<JsonObject> {
    const listen = new Listen(gateway, request, subscriptionId, front);
    const filter = readFilter(request.params);
    let all = openListens.get(gateway);
    if (!all) openListens.set(gateway, (all = new Set()));
    const max = gateway.modern.maxListens;
    if (all.size >= max) {
      throw new JsonRpcError(
        ErrorCode.ServerError,
        `Too many open subscriptions/listen streams (${all.size}, the limit proxy.maxListens is ${max}); close one you no longer need, or raise the limit`,
        { reason: "LISTEN_LIMIT", limit: max },
      );
    }
    const open = all;
    open.add(listen);
    registry.add(listen);
    const done = new Promise<JsonObject>((resolve) => (listen.finish = resolve));
    listen.cleanups.push(() => {
      open.delete(listen);
      registry.delete(listen);
    });
    listen.cleanups.push(request.cancellation.onCancel(() => listen.close()));
    void listen.start(filter);
    return done;
  }

  /** End the listen from the server's side (shutdown): its answer is the completion result. */
  end(): void {
    this.close();
  }

  /** Resource updates of its subscriptions (from Subscriptions.updated); logs and anything else have no place here. */
  notify(method: string, params?: JsonObject): void {
    if (method !== Method.ResourcesUpdated || this.ended) return;
    this.send(method, params);
  }

  request(method: string, _params: JsonObject | undefined, _options: ClientRequestOptions): Promise<JsonObject> {
    return Promise.reject(new SwitchboardError("CLIENT_NOT_REQUESTABLE", `${method} cannot be sent on a subscriptions/listen stream: a 2026-07-28 client receives no requests`));
  }

  private async start(filter: ListenFilter): Promise<void> {
    const gateway = this.gateway;
    const advertised = gateway.capabilities();
    const acked: ListenFilter = {};
    if (filter.toolsListChanged === true) acked.toolsListChanged = true;
    if (filter.promptsListChanged === true && advertised.prompts !== undefined) acked.promptsListChanged = true;
    if (filter.resourcesListChanged === true && advertised.resources !== undefined) acked.resourcesListChanged = true;
    this.acked = acked;
    // Attached before subscribing: the subscriptions are this listen's client's, and end with it.
    this.cleanups.push(gateway.clients.attach(this));
    this.cleanups.push(gateway.events.on("catalogChanged", (kind) => this.catalogChanged(kind)));
    if (filter.resourceSubscriptions !== undefined) acked.resourceSubscriptions = await this.subscribe(filter.resourceSubscriptions);
    if (this.ended) return;
    this.send(ACKNOWLEDGED, { notifications: acked as JsonObject });
  }

  /** Subscribe to each URI that routes to a backend able to tell updates (local resources never change): the acknowledged ones. */
  private async subscribe(uris: readonly string[]): Promise<string[]> {
    const gateway = this.gateway;
    const context = new CallContext(this.client, this.served.id, this.served.cancellation, undefined, this.served.notify, gateway.reportListenerError);
    const accepted = await Promise.all(
      uris.map(async (uri) => {
        const route = gateway.catalogs.resources.resolve(uri, gateway.catalogs.resourceTemplates);
        if (route?.kind !== "backend") return undefined;
        const backend = gateway.backend(route.source.name);
        const resources = backend?.capabilities["resources"];
        if (!backend || !isJsonObject(resources) || resources["subscribe"] !== true) return undefined;
        const exposed = mapUri(gateway.exposure.uris, backend.name, route.identity, backend.prefixed);
        try {
          await gateway.subscriptions.subscribe(backend, route.identity, exposed, context);
          return uri;
        } catch {
          return undefined;
        }
      }),
    );
    return accepted.filter((uri): uri is string => uri !== undefined);
  }

  private catalogChanged(kind: CatalogKind): void {
    const flag = FLAG_OF[kind];
    if (this.acked[flag] !== true || this.pending.has(flag)) return;
    this.pending.add(flag);
    // resources and resourceTemplates change together: one resources/list_changed per turn.
    queueMicrotask(() => {
      this.pending.delete(flag);
      if (!this.ended) this.send(METHOD_OF[flag]);
    });
  }

  private send(method: string, params?: JsonObject): void {
    const meta = isJsonObject(params?.["_meta"]) ? params["_meta"] : {};
    void this.served.notify(method, { ...params, _meta: { ...meta, [MetaKey.SubscriptionId]: this.subscriptionId } }).catch(() => undefined);
  }

  /** The listen is over: its handler settles (the peer sends no answer to a cancelled one) and nothing is held for it. */
  private close(): void {
    if (this.ended) return;
    this.ended = true;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.finish?.({ resultType: "complete", _meta: { [MetaKey.SubscriptionId]: this.subscriptionId } });
  }
}

/** The filter of a listen request; a malformed one is -32602 saying what is wrong. */
function readFilter(params: JsonObject | undefined): ListenFilter {
  const raw = params?.["notifications"];
  if (raw === undefined) return {};
  if (!isJsonObject(raw)) throw new JsonRpcError(ErrorCode.InvalidParams, 'Invalid params: subscriptions/listen "notifications" must be an object (the notification filter)');
  const filter: ListenFilter = {};
  for (const flag of ["toolsListChanged", "promptsListChanged", "resourcesListChanged"] as const) {
    const value = raw[flag];
    if (value === undefined) continue;
    if (typeof value !== "boolean") throw new JsonRpcError(ErrorCode.InvalidParams, `Invalid params: subscriptions/listen notifications.${flag} must be a boolean`);
    filter[flag] = value;
  }
  const uris = raw["resourceSubscriptions"];
  if (uris !== undefined) {
    if (!Array.isArray(uris) || !uris.every((uri) => typeof uri === "string")) {
      throw new JsonRpcError(ErrorCode.InvalidParams, "Invalid params: subscriptions/listen notifications.resourceSubscriptions must be an array of resource URIs");
    }
    filter.resourceSubscriptions = [...new Set(uris as string[])];
  }
  return filter;
}
