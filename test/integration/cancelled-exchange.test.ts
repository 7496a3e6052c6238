import { afterEach, describe, expect, it } from "vitest";
import { fixture } from "../helpers/paths.js";
import { jsonHeaders, openSession, rawRequest } from "../helpers/raw-http.js";
import { startHttpSwitchboard, writeConfig } from "../helpers/switchboard-process.js";

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

describe("a request its client cancels", () => {
  it("ends its HTTP exchange: 202 Accepted with no body, long before the call would have finished", async () => {
    const sb = await startHttpSwitchboard(writeConfig({ servers: { echo: { type: "stdio", command: process.execPath, args: [fixture("echo-backend")] } } }));
    cleanups.push(() => sb.stop());
    // The call must reach the backend before it is cancelled: wait for the backend (its era probe included).
    await sb.waitForLog(/backend "echo" ready/, 10_000);
    const session = await openSession(sb.url);
    const headers = jsonHeaders({ "Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-06-18", Accept: "application/json" });
    const call = rawRequest(sb.url, {
      method: "POST",
      headers,
      body: JSON.stringify({ jsonrpc: "2.0", id: 5, method: "tools/call", params: { name: "proxy.echo.sleep", arguments: { ms: 600_000 } } }),
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const cancel = await rawRequest(sb.url, {
      method: "POST",
      headers,
      body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 5, reason: "user" } }),
    });
    expect(cancel.status).toBe(202);
    // Without abandon the POST would wait for the ten-minute sleep (or the backend timeout).
    const answer = await call;
    expect(answer.status).toBe(202);
    expect(answer.body).toBe("");
    await sb.waitForLog(/\[echo\] cancelled \d+/, 5000);
    // The id is free again at once.
    const again = await rawRequest(sb.url, {
      method: "POST",
      headers,
      body: JSON.stringify({ jsonrpc: "2.0", id: 5, method: "tools/call", params: { name: "proxy.echo.echo", arguments: { text: "again" } } }),
    });
    expect(JSON.parse(again.body)).toMatchObject({ id: 5, result: { content: [{ text: "again" }] } });
  }, 20_000);
});
