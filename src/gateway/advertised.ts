import type { Backend } from "../backend/backend.js";
import { advertisedCapabilities, type ServerCapabilities } from "../mcp/capabilities.js";
import type { CatalogKind } from "../mcp/catalog-kinds.js";
import { versionAtLeast } from "../mcp/versions.js";

/**
 * What a backend still on its first start may declare, as far as initialize
 * is concerned (it has declared nothing yet): the list kinds (their lists
 * start empty and fill with list_changed), subscriptions, completions and
 * tasks. A client that uses one the backend turns out not to have gets that
 * request's clear error rather than a capability it never saw.
 */
const MAY_DECLARE = {
  tools: {},
  prompts: {},
  resources: { subscribe: true },
  completions: {},
  tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } },
};

/**
 * The capabilities the switchboard advertises to a client: what its backends
 * declared (what a backend still on its first start may bring, see
 * MAY_DECLARE), what local entries add, logging always, tasks from
 * 2025-11-25 on.
 */
export function advertisedFor(backends: readonly Backend[], localCount: (kind: CatalogKind) => number, protocolVersion?: string): ServerCapabilities {
  const declared: unknown[] = backends.map((backend) =>
    backend.isStarting && Object.keys(backend.capabilities).length === 0 ? MAY_DECLARE : backend.capabilities,
  );
  if (localCount("prompts") > 0) declared.push({ prompts: {} });
  if (localCount("resources") + localCount("resourceTemplates") > 0) declared.push({ resources: {} });
  const tasks = protocolVersion === undefined || versionAtLeast(protocolVersion, "2025-11-25");
  return advertisedCapabilities(declared, { logging: true, tasks });
}
