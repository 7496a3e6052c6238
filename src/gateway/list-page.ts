import type { Backend } from "../backend/backend.js";
import { ErrorCode, JsonRpcError } from "../jsonrpc/errors.js";
import type { JsonObject } from "../jsonrpc/message.js";
import { CATALOG_KIND_RULES, type CatalogKind } from "../mcp/catalog-kinds.js";
import { paginate, type CursorCodec } from "../mcp/cursor.js";
import type { Catalog } from "./catalog.js";

/**
 * One page of a catalog's list: the shared list result when one page holds
 * it all (pageSize 0 means no paging; a cursor is still validated), else the
 * page's entries and the cursor of the next. A forged or stale cursor is -32602.
 */
export function listPage(catalog: Catalog, kind: CatalogKind, cursor: unknown, codec: CursorCodec, pageSize: number): JsonObject {
  const entries = catalog.entries;
  const size = pageSize > 0 ? pageSize : undefined;
  const page = paginate(entries, cursor, { codec, kind, version: catalog.version, ...(size === undefined ? {} : { pageSize: size }) });
  if (page.items === entries && page.nextCursor === undefined) return catalog.listResult;
  const result: JsonObject = { [CATALOG_KIND_RULES[kind].resultKey]: page.items as JsonObject[] };
  if (page.nextCursor !== undefined) result["nextCursor"] = page.nextCursor;
  return result;
}

/** -32602 for a tool or prompt name nothing routes, saying whether the backend its prefix names is down. */
export function unknownNameError(kind: "tools" | "prompts", name: string, backends: readonly Backend[], prefixOf: (server: string) => string): JsonRpcError {
  const what = kind === "tools" ? "tool" : "prompt";
  const down = backends.find((backend) => backend.prefixed && name.startsWith(prefixOf(backend.name)) && backend.state !== "ready");
  const hint = down ? `; backend "${down.name}" is ${down.state}, its ${kind} return when it is ready` : `; call ${kind}/list for the available names`;
  return new JsonRpcError(ErrorCode.InvalidParams, `Unknown ${what}: "${name}"${hint}`, { [what]: name });
}
