import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Switchboard } from "../../src/switchboard.js";
import { silentLogger } from "../../src/log/logger.js";
import { fixture } from "../helpers/paths.js";
import { waitFor } from "../helpers/procfs.js";
import { rawRequest } from "../helpers/raw-http.js";
import { modernRequest } from "./modern-helpers.js";

/**
 * What a modern request leaves behind once it is over, whichever way it
 * ends: nothing. Each one attaches a client of its own to the gateway while
 * it runs; answered, failed, cancelled or a closed listen, it must be gone.
 */
let board: Switchboard;
let url: string;

beforeAll(async () => {
  board = new Switchboard({ proxy: { namespace: "proxy" }, servers: { echo: { type: "stdio", command: process.execPath, args: [fixture("echo-backend")] } } }, { logger: silentLogger, idleGc: false });
  const front = await board.run({ transport: "http", port: 0 });
  url = front.url!;
  await board.start();
});

afterAll(async () => {
  await board.close();
});

function post(body: ReturnType<typeof modernRequest>): Promise<{ status: number; body: string }> {
  const name = body.params["name"];
  return rawRequest(url, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/json, text/event-stream",
      "MCP-Protocol-Version": "2026-07-28",
      "Mcp-Method": body.method,
      ...(typeof name === "string" ? { "Mcp-Name": name } : {}),
    },
    body: JSON.stringify(body),
  });
}

/** POST and close the response as soon as its first bytes arrive (the client goes away mid-answer). */
function postAndHangUp(body: ReturnType<typeof modernRequest>): Promise<void> {
  return new Promise((resolve) => {
    const req = request(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream", "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": body.method, ...(typeof body.params["name"] === "string" ? { "Mcp-Name": body.params["name"] as string } : {}) },
    });
    req.on("response", (res) => res.once("data", () => (req.destroy(), resolve())));
    req.on("error", () => resolve());
    req.end(JSON.stringify(body));
  });
}

describe("modern requests leave nothing attached", () => {
  it("answered, failed, cancelled mid-stream and closed listens: the gateway holds no client afterwards", async () => {
    const gateway = board.router;
    const before = gateway.clients.size;
    const progress = (id: number) => {
      const body = modernRequest(`p${id}`, "tools/call", { name: "proxy.echo.progress", arguments: { steps: 50 } });
      body.params["_meta"] = { ...(body.params["_meta"] as Record<string, unknown>), progressToken: id };
      return body;
    };
    for (let round = 0; round < 5; round++) {
      await Promise.all([
        ...Array.from({ length: 20 }, (_, i) => post(modernRequest(i, "tools/call", { name: "proxy.echo.echo", arguments: { text: "x" } }, { "io.modelcontextprotocol/logLevel": "debug" }))),
        ...Array.from({ length: 5 }, (_, i) => post(modernRequest(i, "tools/call", { name: "proxy.nowhere.tool", arguments: {} }))),
        ...Array.from({ length: 5 }, (_, i) => post(modernRequest(i, "tools/list"))),
        ...Array.from({ length: 3 }, (_, i) => postAndHangUp(progress(i))),
        ...Array.from({ length: 3 }, (_, i) => postAndHangUp(modernRequest(i, "subscriptions/listen", { notifications: { toolsListChanged: true } }))),
      ]);
    }
    await waitFor(() => gateway.clients.size === before, 5000, "every modern client detached");
    expect(gateway.clients.size).toBe(before);
    // And the front serves on as before.
    const answer = await post(modernRequest("after", "tools/call", { name: "proxy.echo.echo", arguments: { text: "still here" } }));
    expect(JSON.parse(answer.body)).toMatchObject({ result: { resultType: "complete", content: [{ type: "text", text: "still here" }] } });
    expect(gateway.clients.size).toBe(before);
  });
});
