import { isJsonObject } from "../jsonrpc/message.js";
import { Method } from "./methods.js";
import { exposedName, type NamingPolicy } from "./naming.js";
import { mapUri, unmapUri, unprefixedUriProblem, type MappedUri, type UriMapping } from "./uri-mapping.js";

/**
 * The four catalogs the switchboard aggregates, described once so that one
 * mechanism (fan-out, merge, collision check, pagination, list_changed) serves
 * them all. Each kind supplies only its wire names and its naming rule:
 * tools and prompts are exposed under a name prefix (`naming.ts`), resources
 * and resource templates under the reversible URI mapping (`uri-mapping.ts`).
 */

/** A catalog kind; also the key of its list result. */
export type CatalogKind = "tools" | "prompts" | "resources" | "resourceTemplates";

/** Every catalog kind, in the order they are listed. */
export const CATALOG_KINDS: readonly CatalogKind[] = ["tools", "prompts", "resources", "resourceTemplates"];

/** How exposed identities are built, for every kind. */
export interface ExposurePolicy {
  naming: NamingPolicy;
  uris: UriMapping;
}

/** One kind: its wire names and its naming rule. */
export interface CatalogKindRule {
  readonly kind: CatalogKind;
  /** Method listing it (paginated). */
  readonly listMethod: string;
  /** Key of the array in the list result (same as `kind`). */
  readonly resultKey: CatalogKind;
  /** Notification a server sends when it changes (resources and templates share one). */
  readonly listChangedMethod: string;
  /** Server capability that declares it. */
  readonly capability: "tools" | "prompts" | "resources";
  /** Field of an entry that identifies it and that exposure rewrites. */
  readonly identityField: "name" | "uri" | "uriTemplate";
  /**
   * `name`: a name prefix, routed only by looking the exposed name up (server
   * names may hold the separator, so names cannot be split). `uri`: the URI
   * mapping, which also parses back (`parse`), so URIs that are in no list —
   * template expansions, links inside results — still route.
   */
  readonly rule: "name" | "uri";
  /** The exposed identity of a backend's entry (`prefixed` false: the identity itself). */
  expose(policy: ExposurePolicy, server: string, identity: string, prefixed: boolean): string;
  /** (server, original) of an exposed identity when the rule can tell; always undefined for name kinds. */
  parse(policy: ExposurePolicy, exposed: string): MappedUri | undefined;
  /** Why an un-prefixed identity cannot be exposed as is, or undefined. */
  unprefixedProblem(policy: ExposurePolicy, identity: string): string | undefined;
  /** Longest exposed identity allowed (names only; unset = no cap). */
  maxLength(policy: ExposurePolicy): number | undefined;
}

const byName = {
  identityField: "name",
  rule: "name",
  expose: (policy: ExposurePolicy, server: string, identity: string, prefixed: boolean) =>
    exposedName(policy.naming, server, identity, prefixed),
  parse: () => undefined,
  unprefixedProblem: () => undefined,
  maxLength: (policy: ExposurePolicy) => policy.naming.maxNameLength,
} as const;

const byUri = {
  rule: "uri",
  expose: (policy: ExposurePolicy, server: string, identity: string, prefixed: boolean) => mapUri(policy.uris, server, identity, prefixed),
  parse: (policy: ExposurePolicy, exposed: string) => unmapUri(policy.uris, exposed),
  unprefixedProblem: (policy: ExposurePolicy, identity: string) => unprefixedUriProblem(policy.uris, identity),
  maxLength: () => undefined,
} as const;

/** The rule of every kind. */
export const CATALOG_KIND_RULES: { readonly [K in CatalogKind]: CatalogKindRule & { readonly kind: K } } = {
  tools: {
    kind: "tools",
    listMethod: Method.ToolsList,
    resultKey: "tools",
    listChangedMethod: Method.ToolsListChanged,
    capability: "tools",
    ...byName,
  },
  prompts: {
    kind: "prompts",
    listMethod: Method.PromptsList,
    resultKey: "prompts",
    listChangedMethod: Method.PromptsListChanged,
    capability: "prompts",
    ...byName,
  },
  resources: {
    kind: "resources",
    listMethod: Method.ResourcesList,
    resultKey: "resources",
    listChangedMethod: Method.ResourcesListChanged,
    capability: "resources",
    identityField: "uri",
    ...byUri,
  },
  resourceTemplates: {
    kind: "resourceTemplates",
    listMethod: Method.ResourcesTemplatesList,
    resultKey: "resourceTemplates",
    listChangedMethod: Method.ResourcesListChanged,
    capability: "resources",
    identityField: "uriTemplate",
    ...byUri,
  },
};

/** The kinds a list_changed notification method refreshes (resources' covers templates too). */
export function kindsChangedBy(notificationMethod: string): CatalogKind[] {
  return CATALOG_KINDS.filter((kind) => CATALOG_KIND_RULES[kind].listChangedMethod === notificationMethod);
}

/** The identity of a backend's list entry, or undefined when the entry lacks a string identity. */
export function identityOf(rule: CatalogKindRule, entry: unknown): string | undefined {
  if (!isJsonObject(entry)) return undefined;
  const identity = entry[rule.identityField];
  return typeof identity === "string" ? identity : undefined;
}

/**
 * A backend's list entry as exposed: a copy with its identity field
 * rewritten, or the entry itself when the identity stays the same. Undefined
 * when the entry has no string identity (it cannot be routed, so it is not listed).
 */
export function exposeEntry<T>(rule: CatalogKindRule, policy: ExposurePolicy, server: string, entry: T, prefixed: boolean): T | undefined {
  const identity = identityOf(rule, entry);
  if (identity === undefined) return undefined;
  const exposed = rule.expose(policy, server, identity, prefixed);
  return exposed === identity ? entry : { ...entry, [rule.identityField]: exposed };
}

/** What a `completion/complete` reference points at: a prompt by exposed name, or a resource template by exposed URI. */
export type CompletionTarget = { kind: "prompts"; identity: string } | { kind: "resourceTemplates"; identity: string };

/**
 * The catalog entry a `completion/complete` `ref` names, or undefined when
 * `ref` is malformed. A `ref/resource` URI is normally a template's exposed
 * `uriTemplate` (the spec allows a plain resource URI too): either way the URI
 * rule parses it back to (server, original) when prefixed, and an un-prefixed
 * one is looked up among the exposed templates.
 */
export function completionTarget(ref: unknown): CompletionTarget | undefined {
  if (!isJsonObject(ref)) return undefined;
  if (ref["type"] === "ref/prompt" && typeof ref["name"] === "string") return { kind: "prompts", identity: ref["name"] };
  if (ref["type"] === "ref/resource" && typeof ref["uri"] === "string") return { kind: "resourceTemplates", identity: ref["uri"] };
  return undefined;
}
