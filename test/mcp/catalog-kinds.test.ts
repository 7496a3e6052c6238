import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CATALOG_KIND_RULES,
  CATALOG_KINDS,
  completionTarget,
  exposeEntry,
  identityOf,
  kindsChangedBy,
  type ExposurePolicy,
} from "../../src/mcp/catalog-kinds.js";
import { DEFAULT_NAMING } from "../../src/mcp/naming.js";
import { DEFAULT_URI_MAPPING } from "../../src/mcp/uri-mapping.js";

const policy: ExposurePolicy = { naming: DEFAULT_NAMING, uris: DEFAULT_URI_MAPPING };

describe("catalog kinds", () => {
  it("describes each kind's wire names as the spec spells them", () => {
    expect(CATALOG_KINDS.map((kind) => {
      const r = CATALOG_KIND_RULES[kind];
      return [r.kind, r.listMethod, r.resultKey, r.listChangedMethod, r.capability, r.identityField, r.rule];
    })).toEqual([
      ["tools", "tools/list", "tools", "notifications/tools/list_changed", "tools", "name", "name"],
      ["prompts", "prompts/list", "prompts", "notifications/prompts/list_changed", "prompts", "name", "name"],
      ["resources", "resources/list", "resources", "notifications/resources/list_changed", "resources", "uri", "uri"],
      [
        "resourceTemplates",
        "resources/templates/list",
        "resourceTemplates",
        "notifications/resources/list_changed",
        "resources",
        "uriTemplate",
        "uri",
      ],
    ]);
  });

  it("knows which kinds a list_changed notification refreshes", () => {
    expect(kindsChangedBy("notifications/tools/list_changed")).toEqual(["tools"]);
    expect(kindsChangedBy("notifications/prompts/list_changed")).toEqual(["prompts"]);
    expect(kindsChangedBy("notifications/resources/list_changed")).toEqual(["resources", "resourceTemplates"]);
    expect(kindsChangedBy("notifications/message")).toEqual([]);
  });

  it("exposes tools and prompts under the name prefix, with the name cap", () => {
    const prompts = CATALOG_KIND_RULES.prompts;
    expect(prompts.expose(policy, "everything", "simple-prompt", true)).toBe("proxy.everything.simple-prompt");
    expect(prompts.expose(policy, "everything", "simple-prompt", false)).toBe("simple-prompt");
    expect(prompts.parse(policy, "proxy.everything.simple-prompt")).toBeUndefined();
    expect(prompts.unprefixedProblem(policy, "switchboard://x/y")).toBeUndefined();
    expect(CATALOG_KIND_RULES.tools.maxLength({ ...policy, naming: { ...DEFAULT_NAMING, maxNameLength: 64 } })).toBe(64);
    expect(CATALOG_KIND_RULES.resources.maxLength({ ...policy, naming: { ...DEFAULT_NAMING, maxNameLength: 64 } })).toBeUndefined();
  });

  it("exposes resources and templates under the URI mapping, and parses them back", () => {
    const templates = CATALOG_KIND_RULES.resourceTemplates;
    const exposed = templates.expose(policy, "everything", "demo://resource/dynamic/text/{id}", true);
    expect(exposed).toBe("switchboard://everything/demo://resource/dynamic/text/{id}");
    expect(templates.parse(policy, exposed)).toEqual({ server: "everything", uri: "demo://resource/dynamic/text/{id}" });
    expect(CATALOG_KIND_RULES.resources.expose(policy, "fs", "file:///x", false)).toBe("file:///x");
    expect(CATALOG_KIND_RULES.resources.unprefixedProblem(policy, "switchboard://time/x")).toMatch(/has the form of a switchboard URI/);
  });

  it("rewrites an entry's identity field only, on a copy", () => {
    const resource = Object.freeze({ uri: "demo://a", name: "a", mimeType: "text/plain" });
    const out = exposeEntry(CATALOG_KIND_RULES.resources, policy, "s", resource, true);
    expect(out).toEqual({ uri: "switchboard://s/demo://a", name: "a", mimeType: "text/plain" });
    expect(exposeEntry(CATALOG_KIND_RULES.resources, policy, "s", resource, false)).toBe(resource);
    const template = { uriTemplate: "demo://t/{x}", name: "t" };
    expect(exposeEntry(CATALOG_KIND_RULES.resourceTemplates, policy, "s", template, true)).toEqual({
      uriTemplate: "switchboard://s/demo://t/{x}",
      name: "t",
    });
    expect(exposeEntry(CATALOG_KIND_RULES.prompts, policy, "s", { name: "p", arguments: [] }, true)).toEqual({
      name: "proxy.s.p",
      arguments: [],
    });
    for (const bad of [null, "x", { uri: 5 }, { name: "no uri" }]) {
      expect(exposeEntry(CATALOG_KIND_RULES.resources, policy, "s", bad, true)).toBeUndefined();
    }
    expect(identityOf(CATALOG_KIND_RULES.resourceTemplates, { uriTemplate: "t" })).toBe("t");
  });

  it("finds what a completion ref names", () => {
    expect(completionTarget({ type: "ref/prompt", name: "proxy.e.p" })).toEqual({ kind: "prompts", identity: "proxy.e.p" });
    expect(completionTarget({ type: "ref/resource", uri: "switchboard://e/demo://t/{id}" })).toEqual({
      kind: "resourceTemplates",
      identity: "switchboard://e/demo://t/{id}",
    });
    for (const bad of [undefined, {}, { type: "ref/prompt" }, { type: "ref/resource", name: "x" }, { type: "ref/tool", name: "t" }]) {
      expect(completionTarget(bad)).toBeUndefined();
    }
  });

  it("property: for URI kinds, every exposed identity of a prefixed server parses back to (server, original)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(CATALOG_KIND_RULES.resources, CATALOG_KIND_RULES.resourceTemplates),
        fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/),
        fc.string({ maxLength: 40 }),
        (rule, server, identity) => {
          const exposed = rule.expose(policy, server, identity, true);
          expect(rule.parse(policy, exposed)).toEqual({ server, uri: identity });
          // An un-prefixed identity that parses would be ambiguous, and is named as a problem.
          expect(rule.unprefixedProblem(policy, exposed)).toBeDefined();
        },
      ),
    );
  });
});
