import { describe, expect, it } from "vitest";
import { decodeHeaderValue } from "../../../src/mcp/header-value.js";
import { checkModernHeaders, type HeaderOf } from "../../../src/front/http/modern-headers.js";
import { NO_HEADER_PARAMS } from "../../../src/mcp/header-params.js";
import type { JsonRpcRequest } from "../../../src/jsonrpc/message.js";

const meta = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} };

function headers(values: Record<string, string>): HeaderOf {
  const lower = Object.fromEntries(Object.entries(values).map(([k, v]) => [k.toLowerCase(), v]));
  return (name) => lower[name];
}

describe("modern header rules (pure)", () => {
  it("decodes the spec's Value Encoding table and refuses malformed or non-header-safe values", () => {
    expect(decodeHeaderValue("us-west1")).toBe("us-west1");
    expect(decodeHeaderValue("=?base64?SGVsbG8sIOS4lueVjA==?=")).toBe("Hello, 世界");
    expect(decodeHeaderValue("=?base64?IHBhZGRlZCA=?=")).toBe(" padded ");
    expect(decodeHeaderValue("=?base64?bGluZTEKbGluZTI=?=")).toBe("line1\nline2");
    expect(decodeHeaderValue("=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?=")).toBe("=?base64?literal?=");
    expect(decodeHeaderValue("=?base64?SGVsbG8?=")).toBeUndefined(); // unpadded
    expect(decodeHeaderValue("=?base64?/w==?=")).toBeUndefined(); // not UTF-8
    expect(decodeHeaderValue("caf\u00e9")).toBeUndefined();
  });

  it("answers -32020 for the spec's example mismatch (Mcp-Name 'foo' against body 'bar') and accepts a conforming request", () => {
    const request: JsonRpcRequest = { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "bar", arguments: {}, _meta: meta } };
    const error = checkModernHeaders(headers({ "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call", "Mcp-Name": "foo" }), request, () => NO_HEADER_PARAMS);
    expect(error?.code).toBe(-32020);
    expect(error?.message).toMatch(/Mcp-Name header value "foo" does not match the body's params.name "bar"/);
    expect(checkModernHeaders(headers({ "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call", "Mcp-Name": "bar" }), request, () => NO_HEADER_PARAMS)).toBeUndefined();
  });

  it("tasks/get, tasks/update and tasks/cancel (tasks extension) need Mcp-Name equal to params.taskId", () => {
    for (const method of ["tasks/get", "tasks/update", "tasks/cancel"]) {
      const request: JsonRpcRequest = { jsonrpc: "2.0", id: 1, method, params: { taskId: "t-1", _meta: meta } };
      const base = { "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": method };
      expect(checkModernHeaders(headers(base), request, () => NO_HEADER_PARAMS)?.message).toMatch(/Mcp-Name header is required for tasks\/\w+ \(the value of params.taskId\)/);
      expect(checkModernHeaders(headers({ ...base, "Mcp-Name": "t-2" }), request, () => NO_HEADER_PARAMS)?.code).toBe(-32020);
      expect(checkModernHeaders(headers({ ...base, "Mcp-Name": "t-1" }), request, () => NO_HEADER_PARAMS)).toBeUndefined();
    }
  });
});
