import type { JsonRpcPeer } from "../jsonrpc/peer.js";
import { CATALOG_KINDS, CATALOG_KIND_RULES, kindsChangedBy, type CatalogKind } from "../mcp/catalog-kinds.js";
import { Relister } from "./relister.js";

/** The re-listing of one connection's catalogs; ready once its first listing is installed. */
export interface CatalogWatch {
  /** The first listing is installed: changes announced meanwhile are listed now. */
  markReady(): void;
}

/**
 * Listen on `peer` for every list_changed notification and re-list the kinds
 * each one covers (`notifications/resources/list_changed` covers resources
 * and resource templates), one Relister per notification: a change of
 * prompts neither waits for nor swallows a change of tools.
 */
export function watchCatalog(peer: JsonRpcPeer, relist: (kinds: CatalogKind[]) => Promise<void>, fail: (error: unknown) => void): CatalogWatch {
  const methods = new Set(CATALOG_KINDS.map((kind) => CATALOG_KIND_RULES[kind].listChangedMethod));
  const relisters: Relister[] = [];
  for (const method of methods) {
    const kinds = kindsChangedBy(method);
    const relister = new Relister(() => relist(kinds), fail);
    relisters.push(relister);
    peer.setNotificationHandler(method, () => relister.changed());
  }
  return {
    markReady: () => {
      for (const relister of relisters) relister.markReady();
    },
  };
}
