import { describe, expect, it } from "vitest";
import { sql } from "../helpers/header-schemas.js";
import { readHeaderParams } from "../../src/mcp/header-params.js";
import { paramHeaderValues, ToolParamHeaders } from "../../src/transport/http-client-params.js";


describe("x-mcp-header on the client side", () => {
  it("turns arguments into header values: strings as they are, integers in decimal, booleans in lower case, the rest encoded; absent or null sends none", () => {
    const reading = readHeaderParams(sql);
    const headers = reading.ok ? reading.params : [];
    expect(headers).toHaveLength(3);
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
    expect(rejected).toEqual([expect.stringMatching(/^broken: x-mcp-header "N" at \/properties\/n is on a property of type "number"; only integer, string and boolean properties may be mirrored$/)]);
    expect(registry.headersFor("execute_sql", { region: "eu" })).toEqual({ "mcp-param-region": "eu" });
    expect(registry.headersFor("plain", {})).toBeUndefined();
    const clean = { tools: [{ name: "plain", inputSchema: { type: "object" } }] };
    expect(registry.learn(clean, () => undefined)).toBe(clean);
  });
});
