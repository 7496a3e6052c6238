import { ErrorCode, JsonRpcError } from "../jsonrpc/errors.js";
import { SwitchboardError } from "../jsonrpc/local-error.js";
import { isJsonObject, type JsonObject } from "../jsonrpc/message.js";
import type { RequestOptions } from "../jsonrpc/peer.js";
import { composeCacheHints, readCacheHint, type CacheHint } from "../mcp/modern.js";
import { CATALOG_KINDS, CATALOG_KIND_RULES, identityOf, type CatalogKind } from "../mcp/catalog-kinds.js";

/** Most pages a list may have before we call it a loop. */
export const MAX_LIST_PAGES = 1000;

/**
 * The catalog kinds a server declared in its capabilities: `tools`,
 * `prompts`, and `resources` (which brings resource templates along). Only
 * these are listed: a prompts-only server is never asked for tools.
 */
export function declaredKinds(capabilities: Record<string, unknown>): CatalogKind[] {
  return CATALOG_KINDS.filter((kind) => isJsonObject(capabilities[CATALOG_KIND_RULES[kind].capability]));
}

/** Why an entry of `kind` cannot be listed, or undefined when it can. */
function entryProblem(kind: CatalogKind, entry: unknown): string | undefined {
  const rule = CATALOG_KIND_RULES[kind];
  if (identityOf(rule, entry) === undefined) return `without a string "${rule.identityField}"`;
  if (kind === "tools" && !isJsonObject((entry as JsonObject)["inputSchema"])) return 'without an object "inputSchema"';
  return undefined;
}

/** How a listing sends its requests: the connection's peer, with the modern `_meta` added for a modern backend. */
export type ListSender = (method: string, params: JsonObject, options: RequestOptions) => Promise<JsonObject>;

/** One whole list and, from a modern backend, how long it may be cached and for whom. */
export interface Listed {
  entries: JsonObject[];
  /** The pages' cache hints composed (smallest ttlMs, private if any page is); undefined when no page carried one. */
  hint: CacheHint | undefined;
}

/** A hint that never widens what the pages said: a page without one counts as immediately stale. */
const NO_HINT: CacheHint = { ttlMs: 0, cacheScope: "private" };

/**
 * One whole list of `kind` from a backend, following `nextCursor` to the
 * last page. Entries that cannot be routed are left out with a warning. A
 * server that declares `resources` but answers `resources/templates/list`
 * with -32601 (templates are optional) has no templates.
 */
export async function listAll(send: ListSender, kind: CatalogKind, label: string, timeoutMs: number, warn: (message: string) => void): Promise<Listed> {
  const rule = CATALOG_KIND_RULES[kind];
  const entries: JsonObject[] = [];
  const hints: Array<CacheHint | undefined> = [];
  const done = (): Listed => ({ entries, hint: hints.some((hint) => hint !== undefined) ? composeCacheHints(hints, NO_HINT) : undefined });
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let page = 0; page < MAX_LIST_PAGES; page++) {
    let result: JsonObject;
    try {
      result = await send(rule.listMethod, cursor === undefined ? {} : { cursor }, { timeoutMs });
    } catch (error) {
      if (kind === "resourceTemplates" && error instanceof JsonRpcError && error.code === ErrorCode.MethodNotFound) return done();
      throw error;
    }
    const items = result[rule.resultKey];
    if (!Array.isArray(items)) {
      throw new JsonRpcError(ErrorCode.InternalError, `${label} answered ${rule.listMethod} without a "${rule.resultKey}" array`);
    }
    for (const item of items) {
      const problem = entryProblem(kind, item);
      if (problem !== undefined) {
        warn(`${label} listed an entry of ${rule.listMethod} ${problem}; it was left out: ${JSON.stringify(item).slice(0, 200)}`);
        continue;
      }
      entries.push(item as JsonObject);
    }
    hints.push(readCacheHint(result));
    const next = result["nextCursor"];
    if (typeof next !== "string" || next === "") return done();
    if (seen.has(next)) throw new SwitchboardError("HANDSHAKE_FAILED", `${label} repeated ${rule.listMethod} cursor ${JSON.stringify(next)}; stopping`);
    seen.add(next);
    cursor = next;
  }
  throw new SwitchboardError("HANDSHAKE_FAILED", `${label} returned more than ${MAX_LIST_PAGES} pages of ${rule.listMethod}`);
}
