import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixture } from "../helpers/paths.js";
import { jsonHeaders, openSession, rawRequest } from "../helpers/raw-http.js";
import { startHttpSwitchboard, writeConfig, type SwitchboardProcess } from "../helpers/switchboard-process.js";

let sb: SwitchboardProcess;
let session: string;

beforeAll(async () => {
  sb = await startHttpSwitchboard(writeConfig({ servers: { echo: { type: "stdio", command: process.execPath, args: [fixture("echo-backend")] } } }));
  session = await openSession(sb.url);
});
afterAll(async () => {
  expect(await sb.stop()).toBe(0);
});

/** Every answer is a known status; error bodies are JSON-RPC errors with a message. */
function expectClearAnswer(status: number, body: string): void {
  expect([200, 202, 400, 404, 406, 413, 415]).toContain(status);
  if (status >= 400) {
    const parsed = JSON.parse(body) as { jsonrpc: string; error: { code: number; message: string } };
    expect(parsed.jsonrpc).toBe("2.0");
    expect(typeof parsed.error.code).toBe("number");
    expect(parsed.error.message.length).toBeGreaterThan(5);
  }
}

const jsonish = fc.oneof(
  fc.string(),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.record({ jsonrpc: fc.constantFrom("2.0", "1.0", 2), id: fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.double()), method: fc.oneof(fc.string(), fc.constantFrom("tools/call", "ping", "tools/list", "initialize")), params: fc.jsonValue() }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
  fc.constantFrom('{"jsonrpc":"2.0","id":1e400,"method":"ping"}', '"\\ud800"', "[".repeat(5000) + "]".repeat(5000), '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"proxy.echo.echo","arguments":{"text":"\\udfff"}}}'),
);

describe("HTTP front under random input", () => {
  it("answers random bodies with a clear status and keeps serving", async () => {
    await fc.assert(
      fc.asyncProperty(jsonish, fc.boolean(), async (body, withSession) => {
        const headers = jsonHeaders(withSession ? { "Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-06-18" } : {});
        const res = await rawRequest(sb.url, { method: "POST", headers, body });
        expectClearAnswer(res.status, res.body);
      }),
      { numRuns: 150 },
    );
    const ping = await rawRequest(sb.url, {
      method: "POST",
      headers: jsonHeaders({ "Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-06-18" }),
      body: JSON.stringify({ jsonrpc: "2.0", id: "alive", method: "ping" }),
    });
    expect(JSON.parse(ping.body)).toEqual({ jsonrpc: "2.0", id: "alive", result: {} });
  });

  it("answers random header values with a clear status", async () => {
    const headerValue = fc.string({ maxLength: 200 }).filter((s) => !/[\r\n\0]/.test(s) && /^[\x20-\x7e]*$/.test(s));
    await fc.assert(
      fc.asyncProperty(headerValue, headerValue, headerValue, headerValue, async (contentType, accept, sessionId, version) => {
        const res = await rawRequest(sb.url, {
          method: "POST",
          headers: { "Content-Type": contentType, Accept: accept, "Mcp-Session-Id": sessionId, "MCP-Protocol-Version": version },
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
        });
        expect([200, 400, 403, 404, 406, 415]).toContain(res.status);
      }),
      { numRuns: 150 },
    );
  });
});
