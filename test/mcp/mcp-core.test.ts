import { describe, expect, it } from "vitest";
import { DEFAULT_NAMING, exposedName, serverPrefix, toolNameProblem } from "../../src/mcp/naming.js";
import { toCallToolResult } from "../../src/mcp/tool-result.js";
import { eraOf, negotiateLegacyVersion } from "../../src/mcp/versions.js";
import { CatalogSet, type NamedSource } from "../../src/gateway/catalog-set.js";
import type { NamingPolicy } from "../../src/mcp/naming.js";
import { DEFAULT_URI_MAPPING } from "../../src/mcp/uri-mapping.js";

describe("naming", () => {
  it("builds exposed names under each policy", () => {
    expect(exposedName(DEFAULT_NAMING, "time", "get_current_time")).toBe("proxy.time.get_current_time");
    expect(exposedName({ namespace: "", separator: "." }, "time", "now")).toBe("time.now");
    expect(exposedName({ namespace: "mcp", separator: "__" }, "time", "now")).toBe("mcp__time__now");
    expect(exposedName(DEFAULT_NAMING, "time", "now", false)).toBe("now");
    expect(serverPrefix({ namespace: "p", separator: "_" }, "s")).toBe("p_s_");
  });

  it("says why a name is not a recommended tool name", () => {
    expect(toolNameProblem("proxy.time.now")).toBeUndefined();
    expect(toolNameProblem("has space")).toMatch(/characters outside/);
    expect(toolNameProblem("x".repeat(129))).toMatch(/129 characters/);
  });
});

describe("versions", () => {
  it("negotiates legacy versions and knows eras", () => {
    for (const v of ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"]) expect(negotiateLegacyVersion(v)).toBe(v);
    expect(negotiateLegacyVersion("2099-01-01")).toBe("2025-11-25");
    expect(negotiateLegacyVersion(42)).toBe("2025-11-25");
    expect(eraOf("2025-06-18")).toBe("legacy");
    expect(eraOf("2026-07-28")).toBe("modern");
    expect(eraOf("1.0")).toBeUndefined();
  });
});

describe("toCallToolResult", () => {
  it("normalises handler return values", () => {
    const full = { content: [{ type: "text", text: "x" }], isError: true };
    expect(toCallToolResult(full)).toBe(full);
    expect(toCallToolResult("hi")).toEqual({ content: [{ type: "text", text: "hi" }] });
    expect(toCallToolResult(undefined)).toEqual({ content: [] });
    expect(toCallToolResult({ a: 1 })).toEqual({ content: [{ type: "text", text: '{\n  "a": 1\n}' }], structuredContent: { a: 1 } });
    expect(toCallToolResult([1, 2])).toEqual({ content: [{ type: "text", text: "[\n  1,\n  2\n]" }] });
    expect(toCallToolResult(7)).toEqual({ content: [{ type: "text", text: "7" }] });
  });
});

describe("the tools catalog (CatalogSet)", () => {
  const source = (name: string, prefixed: boolean, tools: string[]): NamedSource => ({
    name,
    prefixed,
    entries: (kind) => (kind === "tools" ? tools.map((t) => ({ name: t, inputSchema: { type: "object" } })) : []),
  });
  const policy = (naming: NamingPolicy) => ({ naming, uris: DEFAULT_URI_MAPPING });
  const withLocal = (naming: NamingPolicy, name?: string): CatalogSet => {
    const set = new CatalogSet(policy(naming));
    if (name !== undefined) set.addLocal("tools", { name, inputSchema: { type: "object" } }, () => "x", [], () => undefined);
    return set;
  };
  const names = (set: CatalogSet) => set.tools.entries.map((t) => t["name"]);

  it("lists local tools first, then backends in order, and routes to original names", () => {
    const set = withLocal(DEFAULT_NAMING, "hello");
    const problems = set.rebuild("tools", [source("a", true, ["x", "y"]), source("b", false, ["z"])]);
    expect(problems).toEqual([]);
    expect(names(set)).toEqual(["hello", "proxy.a.x", "proxy.a.y", "z"]);
    expect(set.tools.lookup("proxy.a.y")).toMatchObject({ kind: "backend", identity: "y" });
    expect(set.tools.lookup("hello")).toMatchObject({ kind: "local" });
    expect(set.tools.lookup("proxy.a.nope")).toBeUndefined();
  });

  it("leaves out a colliding un-prefixed tool and names both sides", () => {
    const set = withLocal(DEFAULT_NAMING, "z");
    const problems = set.rebuild("tools", [source("b", false, ["z", "w"]), source("c", false, ["w"])]);
    expect(names(set)).toEqual(["z", "w"]);
    expect(problems).toEqual([
      'tool "z" of backend "b" is exposed as "z", which a local tool already uses; it is left out (rename one, or set "prefix": true on the server)',
      'tool "w" of backend "c" is exposed as "w", which backend "b" already uses; it is left out (rename one, or set "prefix": true on the server)',
    ]);
  });

  it("leaves out names over maxNameLength and says how to fix it", () => {
    const set = withLocal({ ...DEFAULT_NAMING, maxNameLength: 16 });
    const problems = set.rebuild("tools", [source("srv", true, ["short", "a_much_longer_name"])]);
    expect(names(set)).toEqual(["proxy.srv.short"]);
    expect(problems).toEqual([
      'tool "a_much_longer_name" of backend "srv" would be exposed as "proxy.srv.a_much_longer_name" (28 characters, over proxy.maxNameLength 16); it is left out (shorten the namespace or the server name)',
    ]);
  });

  it("refuses a local entry under a backend's prefix, and a local URI shaped like a switchboard URI", () => {
    const set = withLocal(DEFAULT_NAMING);
    expect(() => set.addLocal("prompts", { name: "proxy.a.p" }, () => "x", [source("a", true, [])], () => undefined)).toThrow(/prefix of backend "a"/);
    expect(() => set.addLocal("resources", { uri: "switchboard://a/x", name: "x" }, () => "x", [], () => undefined)).toThrow(/form of a switchboard URI/);
  });
});
