import type { Backend } from "../backend/backend.js";
import { ErrorCode, JsonRpcError } from "../jsonrpc/errors.js";
import { isJsonObject, type JsonObject } from "../jsonrpc/message.js";
import { completionTarget } from "../mcp/catalog-kinds.js";
import { McpErrorCode } from "../mcp/error-codes.js";
import { toGetPromptResult, toReadResourceResult } from "../mcp/local-results.js";
import { parseSetLevelParams } from "../mcp/log-levels.js";
import { Method } from "../mcp/methods.js";
import { rewritePromptResultUris, rewriteReadResultUris } from "../mcp/result-uris.js";
import { mapUri } from "../mcp/uri-mapping.js";
import type { CatalogRoute, LocalEntry } from "./catalog.js";
import { routedCall } from "./routed-call.js";
import type { Gateway } from "./gateway.js";
import type { LocalPromptHandler, LocalResourceHandler } from "./local-surface.js";
import { readPromptParams, readUriParams } from "./request-params.js";
import type { RequestContext } from "./request-context.js";

/**
 * The routed requests beyond tools/call: `prompts/get`, `resources/read`,
 * `completion/complete`, `resources/subscribe` / `unsubscribe` and
 * `logging/setLevel`. Each finds its route in a catalog (waiting briefly for
 * backends still starting), serves local entries itself, and sends the
 * rest through forward() with the backend's original name or URI; URIs in
 * results come back mapped to the ones the client can read.
 */

/** A route to a resource: a listed one, a mapped URI, an un-prefixed backend's template, or a local template. */
type ResourceRoute = CatalogRoute<LocalResourceHandler>;

/** Where an exposed URI leads now, local templates included. */
function findResource(gateway: Gateway, uri: string): ResourceRoute | undefined {
  const { resources, resourceTemplates } = gateway.catalogs;
  const route = resources.resolve(uri, resourceTemplates);
  if (route) return route;
  const local = gateway.catalogs.localTemplateFor(uri);
  return local ? { kind: "local", local } : undefined;
}

/** The route of `uri`, waiting for a starting backend that may own it. */
async function routeResource(gateway: Gateway, uri: string, context: RequestContext): Promise<ResourceRoute | undefined> {
  const route = findResource(gateway, uri);
  if (route) return route;
  await gateway.waitFor("resources", uri, context.cancellation);
  return findResource(gateway, uri);
}

function backendOf(gateway: Gateway, route: { source: { name: string } }): Backend {
  return gateway.backend(route.source.name) as Backend;
}

function resourceNotFound(uri: string): JsonRpcError {
  return new JsonRpcError(McpErrorCode.ResourceNotFound, `Resource not found: ${uri} (call resources/list or resources/templates/list for what can be read)`, { uri });
}

/** `prompts/get`: a local prompt's handler, or the backend's prompt under its original name; URIs in the messages mapped. */
export async function getPrompt(gateway: Gateway, params: JsonObject | undefined, context: RequestContext): Promise<JsonObject> {
  const { name, args } = readPromptParams(params);
  gateway.activity++;
  const catalog = gateway.catalogs.prompts;
  let route = catalog.lookup(name);
  if (!route) {
    await gateway.waitFor("prompts", name, context.cancellation);
    route = catalog.lookup(name);
  }
  if (!route) throw gateway.unknownName("prompts", name);
  if (route.kind === "local") return callLocalPrompt(route.local, args ?? {}, context);
  const backend = backendOf(gateway, route);
  const forwarded: JsonObject = args === undefined ? { name: route.identity } : { name: route.identity, arguments: args };
  if (!backend.prefixed) return routedCall(gateway, backend, Method.PromptsGet, forwarded, context);
  return routedCall(gateway, backend, Method.PromptsGet, forwarded, context, (result) =>
    rewritePromptResultUris(result, (uri) => mapUri(gateway.exposure.uris, backend.name, uri)),
  );
}

async function callLocalPrompt(local: LocalEntry<LocalPromptHandler>, args: Record<string, string>, context: RequestContext): Promise<JsonObject> {
  try {
    return toGetPromptResult(await local.handler(args, context));
  } catch (error) {
    throw asWireError(error, `local prompt "${String(local.entry["name"])}"`);
  }
}

/** `resources/read`: routed by URI (listed, mapped, or a template's expansion); the contents' URIs mapped back. */
export async function readResource(gateway: Gateway, params: JsonObject | undefined, context: RequestContext): Promise<JsonObject> {
  const uri = readUriParams(Method.ResourcesRead, params);
  gateway.activity++;
  const route = await routeResource(gateway, uri, context);
  if (!route) throw resourceNotFound(uri);
  if (route.kind === "local") {
    const mimeType = route.local.entry["mimeType"];
    try {
      return toReadResourceResult(await route.local.handler(uri, context), uri, typeof mimeType === "string" ? mimeType : undefined);
    } catch (error) {
      throw asWireError(error, `local resource ${uri}`);
    }
  }
  const backend = backendOf(gateway, route);
  if (!backend.prefixed) return routedCall(gateway, backend, Method.ResourcesRead, { uri: route.identity }, context);
  return routedCall(gateway, backend, Method.ResourcesRead, { uri: route.identity }, context, (result) =>
    rewriteReadResultUris(result, (original) => mapUri(gateway.exposure.uris, backend.name, original)),
  );
}

/**
 * `completion/complete`: routed by the prompt's exposed name or the
 * template's exposed URI, the ref forwarded with the original. Local
 * entries, and backends that do not declare `completions`, complete nothing.
 */
export async function complete(gateway: Gateway, params: JsonObject | undefined, context: RequestContext): Promise<JsonObject> {
  const target = completionTarget(params?.["ref"]);
  if (!target || !isJsonObject(params?.["argument"])) {
    throw new JsonRpcError(
      ErrorCode.InvalidParams,
      'Invalid params: completion/complete needs "ref" ({type: "ref/prompt", name} or {type: "ref/resource", uri}) and "argument" ({name, value})',
    );
  }
  gateway.activity++;
  const none: JsonObject = { completion: { values: [], hasMore: false } };
  const ref = params["ref"] as JsonObject;
  if (target.kind === "prompts") {
    const catalog = gateway.catalogs.prompts;
    let route = catalog.lookup(target.identity);
    if (!route) {
      await gateway.waitFor("prompts", target.identity, context.cancellation);
      route = catalog.lookup(target.identity);
    }
    if (!route) throw gateway.unknownName("prompts", target.identity);
    if (route.kind === "local") return none;
    const backend = backendOf(gateway, route);
    if (backend.capabilities["completions"] === undefined) return none;
    return routedCall(gateway, backend, Method.CompletionComplete, { ...params, ref: { ...ref, name: route.identity } }, context);
  }
  const templates = gateway.catalogs.resourceTemplates;
  let route = templates.lookup(target.identity) ?? templates.resolve(target.identity) ?? gateway.catalogs.resources.resolve(target.identity);
  if (!route) {
    await gateway.waitFor("resourceTemplates", target.identity, context.cancellation);
    route = templates.lookup(target.identity) ?? templates.resolve(target.identity);
  }
  if (!route) {
    throw new JsonRpcError(ErrorCode.InvalidParams, `Invalid params: no resource template "${target.identity}" (call resources/templates/list)`, { uri: target.identity });
  }
  if (route.kind === "local") return none;
  const backend = backendOf(gateway, route);
  if (backend.capabilities["completions"] === undefined) return none;
  return routedCall(gateway, backend, Method.CompletionComplete, { ...params, ref: { ...ref, uri: route.identity } }, context);
}

/** `resources/subscribe` / `resources/unsubscribe` for `context.client`; local resources accept and never update. */
export async function subscription(gateway: Gateway, method: string, params: JsonObject | undefined, context: RequestContext): Promise<JsonObject> {
  const uri = readUriParams(method, params);
  const route = await routeResource(gateway, uri, context);
  if (!route) throw resourceNotFound(uri);
  if (route.kind === "local") return {};
  const backend = backendOf(gateway, route);
  if (method === Method.ResourcesUnsubscribe) return gateway.subscriptions.unsubscribe(backend, route.identity, context);
  const exposed = mapUri(gateway.exposure.uris, backend.name, route.identity, backend.prefixed);
  return gateway.subscriptions.subscribe(backend, route.identity, exposed, context);
}

/** `logging/setLevel`: the client's own level; backends follow the most verbose. */
export function setLogLevel(gateway: Gateway, params: JsonObject | undefined, context: RequestContext): JsonObject {
  gateway.logs.setLevel(context.client.id, parseSetLevelParams(params), gateway.backends);
  return {};
}

/** A local handler's failure as a wire error: a JsonRpcError as it is, anything else -32603 naming the entry. */
function asWireError(error: unknown, what: string): JsonRpcError {
  if (error instanceof JsonRpcError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new JsonRpcError(ErrorCode.InternalError, `${what} failed: ${message}`);
}
