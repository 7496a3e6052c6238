import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../src/jsonrpc/message.js";
import { CATALOG_KIND_RULES, type CatalogKind, type ExposurePolicy } from "../../src/mcp/catalog-kinds.js";
import { DEFAULT_URI_MAPPING } from "../../src/mcp/uri-mapping.js";
import { Catalog, type CatalogSource } from "../../src/gateway/catalog.js";

const policy: ExposurePolicy = { naming: { namespace: "proxy", separator: "." }, uris: DEFAULT_URI_MAPPING };

function source(name: string, entries: Partial<Record<CatalogKind, JsonObject[]>>, prefixed = true): CatalogSource {
  return { name, prefixed, entries: (kind) => entries[kind] ?? [] };
}

describe("Catalog", () => {
  it("prompts: prefixed names, local first, collisions left out with a message", () => {
    const catalog = new Catalog(CATALOG_KIND_RULES.prompts, policy);
    const problems = catalog.rebuild(
      [{ entry: { name: "hello" }, handler: "local" }],
      [source("a", { prompts: [{ name: "greet", description: "A" }] }), source("b", { prompts: [{ name: "hello" }] }, false)],
    );
    expect(catalog.entries.map((e) => e["name"])).toEqual(["hello", "proxy.a.greet"]);
    expect(problems).toEqual([expect.stringMatching(/prompt "hello" of backend "b" is exposed as "hello", which a local prompt already uses/)]);
    expect(catalog.lookup("proxy.a.greet")).toMatchObject({ kind: "backend", identity: "greet" });
    expect(catalog.counts).toEqual({ local: 1, proxied: 1 });
    expect(catalog.listResult).toEqual({ prompts: catalog.entries });
    const version = catalog.version;
    catalog.rebuild([], []);
    expect(catalog.version).toBe(version + 1);
  });

  it("resources: two backends serving the same URI stay apart; expansions and links resolve", () => {
    const resources = new Catalog(CATALOG_KIND_RULES.resources, policy);
    const templates = new Catalog(CATALOG_KIND_RULES.resourceTemplates, policy);
    const uri = "demo://resource/static/document/architecture.md";
    const sources = [
      source("one", { resources: [{ uri, name: "arch" }], resourceTemplates: [{ uriTemplate: "demo://t/{id}", name: "t" }] }),
      source("two", { resources: [{ uri, name: "arch" }] }),
      source("plain", { resourceTemplates: [{ uriTemplate: "plain://items/{id}", name: "items" }] }, false),
    ];
    expect(resources.rebuild([], sources)).toEqual([]);
    templates.rebuild([], sources);
    expect(resources.entries.map((e) => e["uri"])).toEqual([`switchboard://one/${uri}`, `switchboard://two/${uri}`]);
    expect(resources.resolve(`switchboard://two/${uri}`)).toMatchObject({ kind: "backend", identity: uri, source: { name: "two" } });
    // A template expansion is in no list, and still reaches its backend under its own URI.
    expect(resources.resolve("switchboard://one/demo://t/42", templates)).toMatchObject({ identity: "demo://t/42", source: { name: "one" } });
    expect(resources.resolve("plain://items/7", templates)).toMatchObject({ identity: "plain://items/7", source: { name: "plain" } });
    expect(resources.resolve("switchboard://nobody/x", templates)).toBeUndefined();
    expect(resources.resolve("other://x", templates)).toBeUndefined();
  });

  it("an un-prefixed URI that looks like one of ours is left out", () => {
    const resources = new Catalog(CATALOG_KIND_RULES.resources, policy);
    const problems = resources.rebuild([], [source("p", { resources: [{ uri: "switchboard://x/y" }] }, false)]);
    expect(problems[0]).toMatch(/has the form of a switchboard URI/);
    expect(resources.entries).toEqual([]);
  });
});
