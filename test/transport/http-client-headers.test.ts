import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeHeaderValue, encodeHeaderValue } from "../../src/mcp/header-value.js";
import { modernHeaders, modernVersionOf } from "../../src/transport/http-client-headers.js";

const META = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientInfo": { name: "t", version: "1" } };

describe("modern request metadata headers", () => {
  it("encodes values as the specification's examples do", () => {
    expect(encodeHeaderValue("us-west1")).toBe("us-west1");
    expect(encodeHeaderValue("Hello, 世界")).toBe("=?base64?SGVsbG8sIOS4lueVjA==?=");
    expect(encodeHeaderValue(" padded ")).toBe("=?base64?IHBhZGRlZCA=?=");
    expect(encodeHeaderValue("line1\nline2")).toBe("=?base64?bGluZTEKbGluZTI=?=");
    expect(encodeHeaderValue("=?base64?literal?=")).toBe("=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?=");
    expect(encodeHeaderValue("tab\there")).toMatch(/^=\?base64\?/);
    expect(encodeHeaderValue("file:///projects/myapp/config.json")).toBe("file:///projects/myapp/config.json");
  });

  it("decoding undoes encoding for any string, and the result is always a legal header value", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (value) => {
        const header = encodeHeaderValue(value);
        expect(header).toMatch(/^[\x20-\x7e]*$/);
        expect(decodeHeaderValue(header)).toBe(value);
      }),
    );
    expect(decodeHeaderValue("=?base64?not base64!?=")).toBeUndefined();
  });

  it("names the version, the method and, for tools/call, prompts/get, resources/read and the task methods, the name, URI or task id", () => {
    expect(modernHeaders({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "get_weather", _meta: META } }, "2026-07-28")).toEqual({
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": "tools/call",
      "mcp-name": "get_weather",
    });
    expect(modernHeaders({ jsonrpc: "2.0", id: 2, method: "resources/read", params: { uri: "file:///a b/ü", _meta: META } }, "2026-07-28")["mcp-name"]).toBe(
      encodeHeaderValue("file:///a b/ü"),
    );
    expect(modernHeaders({ jsonrpc: "2.0", id: 3, method: "prompts/get", params: { name: " greet", _meta: META } }, "2026-07-28")["mcp-name"]).toBe("=?base64?IGdyZWV0?=");
    for (const method of ["tasks/get", "tasks/update", "tasks/cancel"]) {
      expect(modernHeaders({ jsonrpc: "2.0", id: 5, method, params: { taskId: "t-9", _meta: META } }, "2026-07-28")["mcp-name"]).toBe("t-9");
    }
    expect(modernHeaders({ jsonrpc: "2.0", id: 4, method: "server/discover", params: { _meta: META } }, "2026-07-28")).toEqual({
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": "server/discover",
    });
  });

  it("a message is modern when its params' _meta names a protocol version", () => {
    expect(modernVersionOf({ jsonrpc: "2.0", id: 1, method: "tools/list", params: { _meta: META } })).toBe("2026-07-28");
    expect(modernVersionOf({ jsonrpc: "2.0", id: 1, method: "tools/list", params: { _meta: { progressToken: 1 } } })).toBeUndefined();
    expect(modernVersionOf({ jsonrpc: "2.0", id: 1, method: "tools/list" })).toBeUndefined();
    expect(modernVersionOf({ jsonrpc: "2.0", id: 1, result: { _meta: META } })).toBeUndefined();
  });
});
