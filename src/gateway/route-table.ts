import type { Backend } from "../backend/backend.js";
import { exposedName, type NamingPolicy } from "../mcp/naming.js";
import type { Tool } from "../mcp/types.js";
import type { LocalTool } from "./local-tool.js";
import type { JsonObject } from "../jsonrpc/message.js";
import { shareResult } from "../jsonrpc/serialize.js";

/** Where an exposed tool name leads. */
export type Route =
  | { kind: "local"; tool: LocalTool }
  | { kind: "backend"; backend: Backend; name: string };

/** How many exposed tools are local, how many proxied. */
export interface ExposedCounts {
  local: number;
  proxied: number;
}

/**
 * Exposed tool name → local tool or (backend, original name). Rebuilt
 * whenever a catalog changes; the exposed list is computed once per rebuild
 * so `tools/list` is a lookup, not a merge.
 */
export class RouteTable {
  private readonly policy: NamingPolicy;
  private routes = new Map<string, Route>();
  /**
   * The exposed list, as the `tools/list` result: one object per rebuild,
   * shared by every client, so its JSON text is computed once.
   */
  private list: { tools: Tool[] } = shareResult({ tools: [] });
  private counts: ExposedCounts = { local: 0, proxied: 0 };

  constructor(policy: NamingPolicy) {
    this.policy = policy;
  }

  /** Every exposed tool: local ones first, then each backend's in config order. */
  get tools(): readonly Tool[] {
    return this.list.tools;
  }

  /** The `tools/list` result (shared: do not modify). */
  get listResult(): JsonObject {
    return this.list;
  }

  /** Number of exposed tools. */
  get size(): number {
    return this.list.tools.length;
  }

  /** Exposed tools by origin (tools left out by collisions or maxNameLength are not counted). */
  get exposed(): Readonly<ExposedCounts> {
    return this.counts;
  }

  /** Find the route of an exposed name. */
  lookup(name: string): Route | undefined {
    return this.routes.get(name);
  }

  /**
   * Rebuild from the current catalogs. Returns one message per tool left out
   * because its exposed name was taken already (first come wins: local
   * tools, then backends in config order).
   */
  rebuild(localTools: Iterable<LocalTool>, backends: Iterable<Backend>): string[] {
    const routes = new Map<string, Route>();
    const listing: Tool[] = [];
    const problems: string[] = [];
    const owner = new Map<string, string>();
    for (const tool of localTools) {
      routes.set(tool.definition.name, { kind: "local", tool });
      owner.set(tool.definition.name, "a local tool");
      listing.push(tool.definition);
    }
    for (const backend of backends) {
      for (const tool of backend.tools) {
        const name = exposedName(this.policy, backend.name, tool.name, backend.config.prefix);
        const max = this.policy.maxNameLength;
        if (max !== undefined && name.length > max) {
          problems.push(
            `tool "${tool.name}" of backend "${backend.name}" would be exposed as "${name}" (${name.length} characters, over proxy.maxNameLength ${max}); it is left out (shorten the namespace or the server name)`,
          );
          continue;
        }
        const taken = owner.get(name);
        if (taken !== undefined) {
          problems.push(
            `tool "${tool.name}" of backend "${backend.name}" is exposed as "${name}", which ${taken} already uses; it is left out (rename one, or set "prefix": true on the server)`,
          );
          continue;
        }
        owner.set(name, `backend "${backend.name}"`);
        routes.set(name, { kind: "backend", backend, name: tool.name });
        listing.push(name === tool.name ? tool : { ...tool, name });
      }
    }
    this.routes = routes;
    this.list = shareResult({ tools: listing });
    let local = 0;
    for (const route of routes.values()) if (route.kind === "local") local++;
    this.counts = { local, proxied: routes.size - local };
    return problems;
  }
}
