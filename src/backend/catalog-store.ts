import type { JsonObject } from "../jsonrpc/message.js";
import { CATALOG_KINDS, type CatalogKind } from "../mcp/catalog-kinds.js";
import type { CacheHint } from "../mcp/modern.js";
import type { Listed } from "./catalog-listing.js";

const EMPTY: readonly JsonObject[] = [];

/**
 * What one backend serves now, per catalog kind (with the cache hint its
 * last list of that kind carried, if any), with a change callback for
 * every kind that changes: those with entries when a connection's first
 * listing is installed, one when it is re-listed, the non-empty ones when
 * the backend goes down.
 */
export class CatalogStore {
  private lists = new Map<CatalogKind, Listed>();

  constructor(private readonly changed: (kind: CatalogKind) => void) {}

  /** The entries of `kind` (empty when not listed). */
  entries(kind: CatalogKind): readonly JsonObject[] {
    return this.lists.get(kind)?.entries ?? EMPTY;
  }

  /** The cache hint of the last list of `kind`, when it carried one. */
  hint(kind: CatalogKind): CacheHint | undefined {
    return this.lists.get(kind)?.hint;
  }

  /** A connection's first listing: every kind it declared (the others empty); the kinds with entries before or now are reported. */
  install(lists: Map<CatalogKind, Listed>): void {
    const before = this.lists;
    this.lists = new Map(lists);
    for (const kind of CATALOG_KINDS) {
      if ((before.get(kind)?.entries.length ?? 0) > 0 || (lists.get(kind)?.entries.length ?? 0) > 0) this.changed(kind);
    }
  }

  /** One kind re-listed. */
  set(kind: CatalogKind, listed: Listed): void {
    this.lists.set(kind, listed);
    this.changed(kind);
  }

  /** Empty every kind (the backend is down), reporting those that had entries. */
  clear(): void {
    const had = [...this.lists].filter(([, listed]) => listed.entries.length > 0).map(([kind]) => kind);
    this.lists = new Map();
    for (const kind of had) this.changed(kind);
  }
}
