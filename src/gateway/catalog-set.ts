import { SwitchboardError } from "../jsonrpc/local-error.js";
import type { JsonObject } from "../jsonrpc/message.js";
import { CATALOG_KIND_RULES, identityOf, type CatalogKind, type ExposurePolicy } from "../mcp/catalog-kinds.js";
import { serverPrefix, toolNameProblem } from "../mcp/naming.js";
import { unprefixedUriProblem, uriPrefix } from "../mcp/uri-mapping.js";
import { UriTemplateMatcher } from "../mcp/uri-template-match.js";
import { Catalog, type CatalogSource, type LocalEntry } from "./catalog.js";
import type { LocalToolHandler } from "./local-tool.js";
import type { LocalPromptHandler, LocalResourceHandler } from "./local-surface.js";

/** The handler type of each kind's local entries. */
export interface LocalHandlers {
  tools: LocalToolHandler;
  prompts: LocalPromptHandler;
  resources: LocalResourceHandler;
  resourceTemplates: LocalResourceHandler;
}

/** A source the catalogs aggregate (a backend). */
export type NamedSource = CatalogSource;

const WHAT: { readonly [K in CatalogKind]: string } = {
  tools: "tool",
  prompts: "prompt",
  resources: "resource",
  resourceTemplates: "resource template",
};

/**
 * The four catalogs of the gateway — tools, prompts, resources, resource
 * templates — over the same local entries and backends, each kind with its
 * naming rule (catalog-kinds.ts). Local entries are checked when added:
 * a name must not collide or start with a backend's prefix, a URI must not
 * look like a switchboard URI.
 */
export class CatalogSet {
  readonly policy: ExposurePolicy;
  readonly tools: Catalog<LocalToolHandler>;
  readonly prompts: Catalog<LocalPromptHandler>;
  readonly resources: Catalog<LocalResourceHandler>;
  readonly resourceTemplates: Catalog<LocalResourceHandler>;
  private readonly locals: { [K in CatalogKind]: Map<string, LocalEntry<LocalHandlers[K]>> } = {
    tools: new Map(),
    prompts: new Map(),
    resources: new Map(),
    resourceTemplates: new Map(),
  };
  private localTemplates: Array<{ matcher: UriTemplateMatcher; local: LocalEntry<LocalResourceHandler> }> = [];

  constructor(policy: ExposurePolicy) {
    this.policy = policy;
    this.tools = new Catalog(CATALOG_KIND_RULES.tools, policy);
    this.prompts = new Catalog(CATALOG_KIND_RULES.prompts, policy);
    this.resources = new Catalog(CATALOG_KIND_RULES.resources, policy);
    this.resourceTemplates = new Catalog(CATALOG_KIND_RULES.resourceTemplates, policy);
  }

  /** The catalog of `kind`. */
  get(kind: CatalogKind): Catalog<LocalHandlers[CatalogKind]> {
    return this[kind] as Catalog<LocalHandlers[CatalogKind]>;
  }

  /** Number of local entries of `kind`. */
  localCount(kind: CatalogKind): number {
    return this.locals[kind].size;
  }

  /**
   * Register a local entry of `kind` (its identity field is its exposed
   * identity). Throws INVALID_NAME or NAME_COLLISION with what to do;
   * `warn` hears about names some clients may reject.
   */
  addLocal<K extends CatalogKind>(kind: K, entry: JsonObject, handler: LocalHandlers[K], sources: readonly NamedSource[], warn: (message: string) => void): void {
    const rule = CATALOG_KIND_RULES[kind];
    const identity = identityOf(rule, entry);
    const what = `a local ${WHAT[kind]}`;
    if (identity === undefined || identity.length === 0) {
      throw new SwitchboardError("INVALID_NAME", `${what} needs a non-empty string "${rule.identityField}"`);
    }
    if (rule.rule === "name") {
      const problem = toolNameProblem(identity);
      if (problem) warn(`local ${WHAT[kind]} name "${identity}" ${problem}; some clients may reject it`);
    } else {
      const problem = unprefixedUriProblem(this.policy.uris, identity);
      if (problem) throw new SwitchboardError("INVALID_NAME", `${what} URI ${problem}; use another scheme`);
    }
    if (this.locals[kind].has(identity)) {
      throw new SwitchboardError("NAME_COLLISION", `${what} "${identity}" is already registered; pick another ${rule.identityField}`);
    }
    this.checkAgainstSources(kind, identity, sources);
    const local: LocalEntry<LocalHandlers[K]> = { entry, handler };
    (this.locals[kind] as Map<string, LocalEntry<LocalHandlers[K]>>).set(identity, local);
    if (kind === "resourceTemplates") {
      this.localTemplates.push({ matcher: new UriTemplateMatcher(identity), local: local as LocalEntry<LocalResourceHandler> });
    }
  }

  /** Check every local entry against a new set of sources (throws NAME_COLLISION). */
  checkLocals(sources: readonly NamedSource[]): void {
    for (const kind of Object.keys(this.locals) as CatalogKind[]) {
      for (const identity of this.locals[kind].keys()) this.checkAgainstSources(kind, identity, sources);
    }
  }

  /** Rebuild the catalog of `kind` from the locals and `sources`; returns one message per entry left out. */
  rebuild(kind: CatalogKind, sources: readonly NamedSource[]): string[] {
    switch (kind) {
      case "tools":
        return this.tools.rebuild(this.locals.tools.values(), sources);
      case "prompts":
        return this.prompts.rebuild(this.locals.prompts.values(), sources);
      case "resources":
        return this.resources.rebuild(this.locals.resources.values(), sources);
      case "resourceTemplates":
        return this.resourceTemplates.rebuild(this.locals.resourceTemplates.values(), sources);
    }
  }

  /** The local template whose expansions include `uri`, if any (first registered wins). */
  localTemplateFor(uri: string): LocalEntry<LocalResourceHandler> | undefined {
    return this.localTemplates.find(({ matcher }) => matcher.matches(uri))?.local;
  }

  private checkAgainstSources(kind: CatalogKind, identity: string, sources: readonly NamedSource[]): void {
    const rule = CATALOG_KIND_RULES[kind];
    for (const source of sources) {
      if (!source.prefixed) continue;
      const prefix = rule.rule === "name" ? serverPrefix(this.policy.naming, source.name) : uriPrefix(this.policy.uris, source.name);
      if (identity.startsWith(prefix)) {
        throw new SwitchboardError(
          "NAME_COLLISION",
          `local ${WHAT[kind]} "${identity}" starts with "${prefix}", the prefix of backend "${source.name}"; rename the ${WHAT[kind]}`,
        );
      }
    }
  }
}
