import type { JsonObject } from "../jsonrpc/message.js";
import { CATALOG_KINDS, type CatalogKind } from "../mcp/catalog-kinds.js";

const EMPTY: readonly JsonObject[] = [];

/**
 * What one backend serves now, per catalog kind, with a change callback for
 * every kind that changes: those with entries when a connection's first
 * listing is installed, one when it is re-listed, the non-empty ones when
 * the backend goes down.
 */
export class CatalogStore {
  private lists = new Map<CatalogKind, readonly JsonObject[]>();

  constructor(private readonly changed: (kind: CatalogKind) => void) {}

  /** The entries of `kind` (empty when not listed). */
  entries(kind: CatalogKind): readonly JsonObject[] {
    return this.lists.get(kind) ?? EMPTY;
  }

  /** A connection's first listing: every kind it declared (the others empty); the kinds with entries before or now are reported. */
  install(lists: Map<CatalogKind, readonly JsonObject[]>): void {
    const before = this.lists;
    this.lists = lists;
    for (const kind of CATALOG_KINDS) {
      if ((before.get(kind)?.length ?? 0) > 0 || (lists.get(kind)?.length ?? 0) > 0) this.changed(kind);
    }
  }

  /** One kind re-listed. */
  set(kind: CatalogKind, list: readonly JsonObject[]): void {
    this.lists.set(kind, list);
    this.changed(kind);
  }

  /** Empty every kind (the backend is down), reporting those that had entries. */
  clear(): void {
    const had = [...this.lists].filter(([, list]) => list.length > 0).map(([kind]) => kind);
    this.lists = new Map();
    for (const kind of had) this.changed(kind);
  }
}
