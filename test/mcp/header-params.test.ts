import { describe, expect, it } from "vitest";
import { sql } from "../helpers/header-schemas.js";
import { checkModernHeaders, headerParamsIn, type HeaderOf } from "../../src/front/http/modern-headers.js";
import { ToolParamHeaders } from "../../src/transport/http-client-params.js";
import { argumentAt, headerTextMatches, headerTextOf, readHeaderParams } from "../../src/mcp/header-params.js";
import type { JsonObject, JsonRpcRequest } from "../../src/jsonrpc/message.js";


describe("readHeaderParams", () => {
  it("reads annotations reached through properties, nested ones included, in schema order", () => {
    expect(readHeaderParams(sql)).toEqual({
      ok: true,
      params: [
        { name: "Region", path: ["region"] },
        { name: "Tenant", path: ["scope", "tenant"] },
        { name: "Dry-Run", path: ["scope", "dryRun"] },
      ],
    });
    expect(readHeaderParams({ type: "object" })).toEqual({ ok: true, params: [] });
    expect(readHeaderParams(undefined)).toEqual({ ok: true, params: [] });
    expect(readHeaderParams(true)).toEqual({ ok: true, params: [] });
  });

  it("does not take instances (const, enum, default, examples) or property names for annotations", () => {
    const schema = {
      type: "object",
      properties: {
        "x-mcp-header": { type: "string" },
        config: { type: "object", default: { "x-mcp-header": "NotOne" }, examples: [{ "x-mcp-header": "Nor" }], enum: [{ "x-mcp-header": "This" }], const: { "x-mcp-header": "Either" } },
        region: { type: "string", "x-mcp-header": "Region" },
      },
    };
    expect(readHeaderParams(schema)).toEqual({ ok: true, params: [{ name: "Region", path: ["region"] }] });
  });

  it("says which annotation breaks which rule, and where", () => {
    const reason = (schema: unknown) => {
      const reading = readHeaderParams(schema);
      return reading.ok ? undefined : reading.reason;
    };
    expect(reason({ type: "object", properties: { list: { type: "array", items: { type: "object", properties: { hidden: { type: "string", "x-mcp-header": "Hidden" } } } } } })).toBe(
      'x-mcp-header "Hidden" at /properties/list/items/properties/hidden is not on a property reached from the schema root through "properties" alone',
    );
    expect(reason({ type: "object", "x-mcp-header": "Root" })).toMatch(/^x-mcp-header "Root" at the schema root is not on a property reached/);
    expect(reason({ type: "object", properties: { n: { type: "number", "x-mcp-header": "N" } } })).toBe(
      'x-mcp-header "N" at /properties/n is on a property of type "number"; only integer, string and boolean properties may be mirrored',
    );
    expect(reason({ type: "object", properties: { s: { type: ["string", "null"], "x-mcp-header": "S" } } })).toMatch(/of type \["string","null"\]/);
    expect(reason({ type: "object", properties: { s: { "x-mcp-header": "S" } } })).toMatch(/of type null/);
    expect(reason({ type: "object", properties: { a: { type: "string", "x-mcp-header": "Line\r\nBreak" } } })).toMatch(/^x-mcp-header "Line\\r\\nBreak" at \/properties\/a is not a valid header name/);
    expect(reason({ type: "object", properties: { a: { type: "string", "x-mcp-header": "Dup" }, b: { type: "string", "x-mcp-header": "dup" } } })).toBe(
      'x-mcp-header "dup" at /properties/b repeats "Dup" (header names must differ ignoring case)',
    );
    expect(reason({ type: "object", properties: { "a/b~c": { type: "object", additionalProperties: { type: "string", "x-mcp-header": "X" } } } })).toMatch(/at \/properties\/a~1b~0c\/additionalProperties is not/);
    expect(reason({ type: "object", properties: { a: { type: "string" } }, "x-vendor": { properties: { a: { type: "string", "x-mcp-header": "A" } } } })).toMatch(/at \/x-vendor\/properties\/a is not/);
  });
});

describe("header text of an argument", () => {
  it("is the string, true/false, or a safe integer in decimal; nothing for anything else", () => {
    expect(headerTextOf("us-west1")).toBe("us-west1");
    expect(headerTextOf(false)).toBe("false");
    expect(headerTextOf(-7)).toBe("-7");
    for (const none of [undefined, null, 1.5, 2 ** 53, Number.NaN, {}, [], ["a"]]) expect(headerTextOf(none)).toBeUndefined();
  });

  it("matches strings and booleans exactly and integers numerically from a decimal numeral", () => {
    expect(headerTextMatches("us-west1", "us-west1")).toBe(true);
    expect(headerTextMatches("US-west1", "us-west1")).toBe(false);
    expect(headerTextMatches("true", true)).toBe(true);
    expect(headerTextMatches("True", true)).toBe(false);
    expect(headerTextMatches("42", 42)).toBe(true);
    expect(headerTextMatches("42.0", 42)).toBe(true);
    expect(headerTextMatches("4.2e1", 42)).toBe(true);
    for (const not of ["0x2a", " 42", "", "42abc", "Infinity"]) expect(headerTextMatches(not, 42)).toBe(false);
    expect(headerTextMatches("42", "42.0")).toBe(false);
  });

  it("is read at the annotation's path", () => {
    expect(argumentAt({ scope: { tenant: 4 } }, ["scope", "tenant"])).toBe(4);
    expect(argumentAt({ scope: "flat" }, ["scope", "tenant"])).toBeUndefined();
    expect(argumentAt(undefined, ["a"])).toBeUndefined();
  });
});

/**
 * The two users of `x-mcp-header` must read an annotation the same way: the
 * client that sends `Mcp-Param-*` headers to a modern remote server, and the
 * front that checks what a client sends. Here the switchboard's own client
 * calls a tool served by its own front (a chain of switchboards): every call
 * the client makes to a tool it keeps must pass the front's check, and a tool
 * the client rejects must not be callable through the front either.
 */

const meta = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} };

/** What the client does with a tool: undefined when it rejects it, else a function from arguments to the headers it sends. */
function clientSide(inputSchema: unknown): ((args: JsonObject) => Record<string, string>) | undefined {
  const registry = new ToolParamHeaders();
  const rejected: string[] = [];
  const learned = registry.learn({ tools: [{ name: "t", inputSchema: inputSchema as JsonObject }] }, (tool) => rejected.push(tool));
  const kept = (learned["tools"] as unknown[]).length === 1;
  expect(kept).toBe(rejected.length === 0);
  return kept ? (args) => registry.headersFor("t", args) ?? {} : undefined;
}

/** The front's verdict on a call of tool "t" with `args` and the `Mcp-Param-*` headers `params`: undefined when it accepts. */
function frontSide(inputSchema: unknown, args: JsonObject, params: Record<string, string>): string | undefined {
  const list = { tools: [{ name: "t", inputSchema }] } as JsonObject;
  const all: Record<string, string> = { "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "t", ...params };
  const header: HeaderOf = (name) => all[name];
  const request: JsonRpcRequest = { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "t", arguments: args, _meta: meta } };
  const error = checkModernHeaders(header, request, (tool) => headerParamsIn(list, tool));
  if (error !== undefined) expect(error.code).toBe(-32020);
  return error?.message;
}

const string = (name: string) => ({ type: "string", "x-mcp-header": name });
const object = (properties: JsonObject) => ({ type: "object", properties });

/** Annotations the specification makes invalid (the client must drop the tool). */
const invalid: Record<string, unknown> = {
  "under items": object({ list: { type: "array", items: object({ hidden: string("Hidden") }) } }),
  "under anyOf": { type: "object", anyOf: [object({ a: string("A") })] },
  "under $defs": { type: "object", properties: { a: { $ref: "#/$defs/a" } }, $defs: { a: string("A") } },
  "under contentSchema": object({ blob: { type: "string", contentSchema: object({ k: string("K") }) } }),
  "under additionalItems": object({ list: { type: "array", items: [{ type: "string" }], additionalItems: object({ k: string("K") }) } }),
  "under dependencies": { type: "object", properties: { a: { type: "string" } }, dependencies: { a: object({ b: string("B") }) } },
  "on a number": object({ n: { type: "number", "x-mcp-header": "N" } }),
  "on an object": object({ o: { type: "object", "x-mcp-header": "O" } }),
  "on the root": { type: "object", "x-mcp-header": "Root" },
  "twice, differing in case": object({ a: string("Dup"), b: string("dup") }),
  "not a token": object({ a: string("Bad Name") }),
  empty: object({ a: string("") }),
  "not a string": object({ a: { type: "string", "x-mcp-header": 42 } }),
};

describe("x-mcp-header: the client and the front read annotations alike", () => {
  for (const [what, schema] of Object.entries(invalid)) {
    it(`an annotation ${what} invalidates the tool on both sides`, () => {
      expect(clientSide(schema)).toBeUndefined();
      expect(frontSide(schema, {}, {})).toMatch(/x-mcp-header/);
      expect(frontSide(schema, { a: "x", n: 1, o: {} }, { "mcp-param-a": "x", "mcp-param-n": "1" })).toMatch(/x-mcp-header/);
    });
  }

  const valid = object({
    region: string("Region"),
    scope: object({ tenant: { type: "integer", "x-mcp-header": "Tenant" }, dryRun: { type: "boolean", "x-mcp-header": "Dry-Run" } }),
  });
  const calls: Record<string, JsonObject> = {
    "plain values": { region: "us-west1", scope: { tenant: 42, dryRun: false } },
    "a value that needs Base64": { region: "Hello, 世界" },
    "no values": {},
    "null values": { region: null, scope: null },
    "an integer parameter given a fraction": { scope: { tenant: 1.5 } },
    "an integer beyond the safe range": { scope: { tenant: 2 ** 53 + 2 } },
    "a string parameter given an object": { region: { not: "a string" } },
  };
  for (const [what, args] of Object.entries(calls)) {
    it(`a call with ${what}: the headers the client sends pass the front`, () => {
      const headersOf = clientSide(valid);
      expect(headersOf).toBeDefined();
      expect(frontSide(valid, args, headersOf!(args))).toBeUndefined();
    });
  }

  it("the front still refuses a missing or different header for a mirrored value", () => {
    const args = { region: "us-west1", scope: { tenant: 42 } };
    expect(frontSide(valid, args, { "mcp-param-tenant": "42" })).toMatch(/Mcp-Param-Region header is required/);
    expect(frontSide(valid, args, { "mcp-param-region": "eu", "mcp-param-tenant": "42" })).toMatch(/Mcp-Param-Region header value "eu" does not match/);
    expect(frontSide(valid, args, { "mcp-param-region": "us-west1", "mcp-param-tenant": "42.0" })).toBeUndefined();
    expect(frontSide(valid, args, { "mcp-param-region": "us-west1", "mcp-param-tenant": "0x2a" })).toMatch(/Mcp-Param-Tenant header value "0x2a" does not match/);
  });
});
