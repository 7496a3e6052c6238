import { describe, expect, it } from "vitest";
import { paramHeaderValues, readParamHeaders, ToolParamHeaders } from "../../src/transport/http-client-params.js";

const sql = {
  type: "object",
  properties: {
    region: { type: "string", "x-mcp-header": "Region" },
    query: { type: "string" },
    scope: { type: "object", properties: { tenant: { type: "integer", "x-mcp-header": "Tenant" }, dryRun: { type: "boolean", "x-mcp-header": "Dry-Run" } } },
  },
};

describe("x-mcp-header annotations", () => {
  it("reads annotations reached through properties, nested ones included", () => {
    expect(readParamHeaders(sql)).toEqual({
      ok: true,
      headers: [
        { name: "Region", path: ["region"] },
        { name: "Tenant", path: ["scope", "tenant"] },
        { name: "Dry-Run", path: ["scope", "dryRun"] },
      ],
    });
    expect(readParamHeaders({ type: "object" })).toEqual({ ok: true, headers: [] });
    expect(readParamHeaders(undefined)).toEqual({ ok: true, headers: [] });
  });

  it("rejects what the specification forbids: unreachable places, bad names, duplicates, non-primitive or number types", () => {
    const bad = (schema: unknown) => readParamHeaders(schema).ok;
    expect(bad({ type: "object", properties: { list: { type: "array", items: { type: "string", "x-mcp-header": "Item" } } } })).toBe(false);
    expect(bad({ type: "object", anyOf: [{ properties: { a: { type: "string", "x-mcp-header": "A" } } }] })).toBe(false);
    expect(bad({ type: "object", $defs: { a: { type: "string", "x-mcp-header": "A" } } })).toBe(false);
    expect(bad({ type: "object", properties: { a: { type: "string", "x-mcp-header": "" } } })).toBe(false);
    expect(bad({ type: "object", properties: { a: { type: "string", "x-mcp-header": "Bad Name" } } })).toBe(false);
    expect(bad({ type: "object", properties: { a: { type: "string", "x-mcp-header": "Line\r\nBreak" } } })).toBe(false);
    expect(bad({ type: "object", properties: { a: { type: "string", "x-mcp-header": "Dup" }, b: { type: "string", "x-mcp-header": "dup" } } })).toBe(false);
    expect(bad({ type: "object", properties: { a: { type: "number", "x-mcp-header": "N" } } })).toBe(false);
    expect(bad({ type: "object", properties: { a: { type: "object", "x-mcp-header": "O" } } })).toBe(false);
    expect(bad({ type: "object", "x-mcp-header": "Root" })).toBe(false);
  });

  it("turns arguments into header values: strings as they are, integers in decimal, booleans in lower case, the rest encoded; absent or null sends none", () => {
    const { headers } = readParamHeaders(sql) as { ok: true; headers: Parameters<typeof paramHeaderValues>[0] };
    expect(paramHeaderValues(headers, { region: "us-west1", scope: { tenant: 42, dryRun: false } })).toEqual({ "mcp-param-region": "us-west1", "mcp-param-tenant": "42", "mcp-param-dry-run": "false" });
    expect(paramHeaderValues(headers, { region: "Hello, 世界", scope: null })).toEqual({ "mcp-param-region": "=?base64?SGVsbG8sIOS4lueVjA==?=" });
    expect(paramHeaderValues(headers, { region: null })).toEqual({});
    expect(paramHeaderValues(headers, undefined)).toEqual({});
  });

  it("a listing is learned per tool, and tools with invalid annotations are taken out of it", () => {
    const registry = new ToolParamHeaders();
    const rejected: string[] = [];
    const result = { tools: [{ name: "execute_sql", inputSchema: sql }, { name: "broken", inputSchema: { type: "object", properties: { n: { type: "number", "x-mcp-header": "N" } } } }, { name: "plain", inputSchema: { type: "object" } }], nextCursor: "c" };
    const learned = registry.learn(result, (tool, reason) => rejected.push(`${tool}: ${reason}`));
    expect(learned).toEqual({ tools: [result.tools[0], result.tools[2]], nextCursor: "c" });
    expect(rejected).toEqual([expect.stringMatching(/^broken: x-mcp-header "N" is on property "n", which is not an integer, string or boolean$/)]);
    expect(registry.headersFor("execute_sql", { region: "eu" })).toEqual({ "mcp-param-region": "eu" });
    expect(registry.headersFor("plain", {})).toBeUndefined();
    const clean = { tools: [{ name: "plain", inputSchema: { type: "object" } }] };
    expect(registry.learn(clean, () => undefined)).toBe(clean);
  });
});
