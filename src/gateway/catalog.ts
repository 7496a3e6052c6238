import type { JsonObject } from "../jsonrpc/message.js";
import { shareResult } from "../jsonrpc/serialize.js";
import { exposeEntry, identityOf, type CatalogKindRule, type ExposurePolicy } from "../mcp/catalog-kinds.js";
import { UriTemplateMatcher } from "../mcp/uri-template-match.js";

/** What a catalog needs of a backend: its name, whether it is prefixed, and its entries of each kind. */
export interface CatalogSource {
  readonly name: string;
  /** False for `prefix: false` servers: identities are exposed as they are. */
  readonly prefixed: boolean;
  /** The entries of this kind the source serves now (empty unless ready). */
  entries(kind: CatalogKindRule["kind"]): readonly JsonObject[];
}

/** An entry served by the switchboard itself (a local tool, prompt, resource or template). */
export interface LocalEntry<H = unknown> {
  /** The entry as listed; its identity field is its exposed identity. */
  readonly entry: JsonObject;
  readonly handler: H;
}

/** Where an exposed identity leads. */
export type CatalogRoute<H = unknown> =
  | { readonly kind: "local"; readonly local: LocalEntry<H> }
  | { readonly kind: "backend"; readonly source: CatalogSource; readonly identity: string };

/**
 * One catalog kind aggregated over local entries and backends: exposed
 * identity → route, and the list every client gets. Rebuilt whenever a
 * source's entries change; the list is one shared object per rebuild, so its
 * JSON text is computed once. The kind's rule names entries (name prefix or
 * URI mapping); collisions are left out with a message, first come wins
 * (local entries, then sources in config order).
 */
export class Catalog<H = unknown> {
  readonly rule: CatalogKindRule;
  private readonly policy: ExposurePolicy;
  private routes = new Map<string, CatalogRoute<H>>();
  private sources = new Map<string, CatalogSource>();
  private unprefixedTemplates: Array<{ matcher: UriTemplateMatcher; source: CatalogSource }> = [];
  private list: JsonObject[] = [];
  private result: JsonObject = shareResult({});
  private localCount = 0;
  /** Grows with every rebuild (pagination cursors carry it to detect a changed list). */
  version = 0;

  constructor(rule: CatalogKindRule, policy: ExposurePolicy) {
    this.rule = rule;
    this.policy = policy;
  }

  /** Every exposed entry, local ones first. */
  get entries(): readonly JsonObject[] {
    return this.list;
  }

  /** Exposed entries served by the switchboard itself / by backends. */
  get counts(): { local: number; proxied: number } {
    return { local: this.localCount, proxied: this.list.length - this.localCount };
  }

  /** Rebuild from the current entries; returns one message per entry left out. */
  rebuild(locals: Iterable<LocalEntry<H>>, sources: Iterable<CatalogSource>): string[] {
    const rule = this.rule;
    const routes = new Map<string, CatalogRoute<H>>();
    const byName = new Map<string, CatalogSource>();
    const listing: JsonObject[] = [];
    const problems: string[] = [];
    const owner = new Map<string, string>();
    const unprefixedTemplates: Array<{ matcher: UriTemplateMatcher; source: CatalogSource }> = [];
    for (const local of locals) {
      const identity = identityOf(rule, local.entry);
      if (identity === undefined) continue;
      routes.set(identity, { kind: "local", local });
      owner.set(identity, `a local ${singular(rule)}`);
      listing.push(local.entry);
    }
    const localCount = listing.length;
    const max = rule.maxLength(this.policy);
    for (const source of sources) {
      byName.set(source.name, source);
      for (const entry of source.entries(rule.kind)) {
        const identity = identityOf(rule, entry);
        if (identity === undefined) continue;
        const what = `${singular(rule)} ${JSON.stringify(identity)} of backend "${source.name}"`;
        if (!source.prefixed) {
          const problem = rule.unprefixedProblem(this.policy, identity);
          if (problem !== undefined) {
            problems.push(`${what} is left out: ${problem}`);
            continue;
          }
        }
        const exposed = exposeEntry(rule, this.policy, source.name, entry, source.prefixed)!;
        const name = exposed[rule.identityField] as string;
        if (max !== undefined && name.length > max) {
          problems.push(
            `${what} would be exposed as "${name}" (${name.length} characters, over proxy.maxNameLength ${max}); it is left out (shorten the namespace or the server name)`,
          );
          continue;
        }
        const taken = owner.get(name);
        if (taken !== undefined) {
          problems.push(`${what} is exposed as "${name}", which ${taken} already uses; it is left out (rename one, or set "prefix": true on the server)`);
          continue;
        }
        owner.set(name, `backend "${source.name}"`);
        routes.set(name, { kind: "backend", source, identity });
        listing.push(exposed);
        if (rule.kind === "resourceTemplates" && !source.prefixed) {
          unprefixedTemplates.push({ matcher: new UriTemplateMatcher(identity), source });
        }
      }
    }
    this.routes = routes;
    this.sources = byName;
    this.unprefixedTemplates = unprefixedTemplates;
    this.list = listing;
    this.result = shareResult({ [rule.resultKey]: listing });
    this.localCount = localCount;
    this.version++;
    return problems;
  }

  /** The route of an exposed identity listed in this catalog. */
  lookup(exposed: string): CatalogRoute<H> | undefined {
    return this.routes.get(exposed);
  }

  /**
   * The route of a URI that may be in no list (a template expansion, a link
   * inside a result): a listed one first, then the URI mapping, then the
   * templates of un-prefixed servers in `templates` (the templates catalog,
   * for reads of resources). For name kinds, only listed names route.
   */
  resolve(exposed: string, templates?: Catalog<H>): CatalogRoute<H> | undefined {
    const listed = this.routes.get(exposed);
    if (listed || this.rule.rule !== "uri") return listed;
    const mapped = this.rule.parse(this.policy, exposed);
    if (mapped) {
      const source = this.sources.get(mapped.server);
      return source?.prefixed ? { kind: "backend", source, identity: mapped.uri } : undefined;
    }
    for (const { matcher, source } of (templates ?? this).unprefixedTemplates) {
      if (matcher.matches(exposed)) return { kind: "backend", source, identity: exposed };
    }
    return undefined;
  }

  /** The whole list result, one shared object per rebuild (do not modify). */
  get listResult(): JsonObject {
    return this.result;
  }
}

function singular(rule: CatalogKindRule): string {
  switch (rule.kind) {
    case "tools":
      return "tool";
    case "prompts":
      return "prompt";
    case "resources":
      return "resource";
    case "resourceTemplates":
      return "resource template";
  }
}
