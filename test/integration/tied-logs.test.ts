import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { LoggingMessageNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { rawRequest, type RawResponse } from "../helpers/raw-http.js";
import { startFixture, type RemoteServer } from "../helpers/remote.js";
import { connectHttp } from "../helpers/sdk.js";
import { startHttpSwitchboard, writeConfig, type SwitchboardProcess } from "../helpers/switchboard-process.js";
import { modernRequest } from "../front/modern-helpers.js";

/**
 * A log a remote server sends on a call's own response stream (Streamable
 * HTTP) is tied to that call: it reaches the client that made the call — on
 * that call's stream — and nobody else, however many calls share the server.
 * (Over stdio a log names no call; see modern-http.test.ts.)
 */

let remote: RemoteServer;
let sb: SwitchboardProcess;
const clients: Client[] = [];

beforeAll(async () => {
  remote = await startFixture("sdk-http-backend");
  sb = await startHttpSwitchboard(writeConfig({ logLevel: "warn", servers: { sdk: { type: "http", url: remote.url, era: "legacy" } } }));
});

afterAll(async () => {
  for (const client of clients) await client.close().catch(() => undefined);
  await sb.stop();
  await remote.stop();
});

const TOOL = "proxy.sdk.log";

function modernCall(id: string, text: string, waitMs: number): Promise<RawResponse> {
  const body = modernRequest(id, "tools/call", { name: TOOL, arguments: { text, waitMs } }, { "io.modelcontextprotocol/logLevel": "info" });
  const headers = { "Content-Type": "application/json", Accept: "application/json, text/event-stream", "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call", "Mcp-Name": TOOL };
  return rawRequest(sb.url, { method: "POST", headers, body: JSON.stringify(body) });
}

/** The data of the log messages on an SSE answer. */
function logsOf(res: RawResponse): unknown[] {
  return res.body
    .split("\n")
    .filter((line) => line.startsWith("data: "))
    .map((line) => JSON.parse(line.slice(6)) as { method?: string; params?: { data?: unknown } })
    .filter((m) => m.method === "notifications/message")
    .map((m) => m.params?.data);
}

describe("logs tied to a call over a Streamable HTTP backend", () => {
  it("two modern calls in flight on one remote server each get their own log, on their own stream", async () => {
    await expect.poll(async () => (await modernCall("warm", "warm", 0)).status, { timeout: 10_000 }).toBe(200);
    const slow = modernCall("a", "for A", 1200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const fast = await modernCall("b", "for B", 0);
    expect(logsOf(fast)).toEqual(["for B"]);
    expect(logsOf(await slow)).toEqual(["for A"]);
  });

  it("two legacy clients calling at once: each hears its own call's log, not the other's", async () => {
    const heard: Record<string, unknown[]> = { one: [], two: [] };
    for (const name of ["one", "two"] as const) {
      const client = await connectHttp(sb.url, name);
      clients.push(client);
      client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void heard[name]!.push(n.params.data));
    }
    const [one, two] = clients as [Client, Client];
    await Promise.all([one.callTool({ name: TOOL, arguments: { text: "one's", waitMs: 300 } }), two.callTool({ name: TOOL, arguments: { text: "two's", waitMs: 300 } })]);
    expect(heard["one"]).toEqual(["one's"]);
    expect(heard["two"]).toEqual(["two's"]);
  });
});
