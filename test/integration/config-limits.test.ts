import { afterEach, describe, expect, it } from "vitest";
import { Gateway } from "../../src/gateway/gateway.js";
import type { Backend } from "../../src/backend/backend.js";
import { Switchboard } from "../../src/switchboard.js";
import { fixture } from "../helpers/paths.js";
import { rawRequest } from "../helpers/raw-http.js";
import { startHttpSwitchboard, writeConfig, type SwitchboardProcess } from "../helpers/switchboard-process.js";
import { modernRequest } from "../front/modern-helpers.js";

/** Limits that were code constants are config options: each one, set low, takes effect. */

const running: SwitchboardProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((sb) => sb.stop()));
});

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function gatewayOf(board: Switchboard): Gateway {
  return (board as unknown as { gateway: Gateway }).gateway;
}

describe("limits from the config", () => {
  it("server.maxStatelessRequests bounds the modern requests served at once over HTTP (the others wait their turn)", async () => {
    const config = writeConfig({
      logLevel: "warn",
      proxy: { maxListens: 0 },
      server: { maxStatelessRequests: 1 },
      servers: { echo: { type: "stdio", command: process.execPath, args: [fixture("echo-backend")] } },
    });
    const sb = await startHttpSwitchboard(config);
    running.push(sb);
    const call = (id: number, name: string, args: Record<string, unknown>) => {
      const body = modernRequest(id, "tools/call", { name, arguments: args });
      const headers = { "Content-Type": "application/json", Accept: "application/json, text/event-stream", "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call", "Mcp-Name": name };
      return rawRequest(sb.url, { method: "POST", headers, body: JSON.stringify(body) });
    };
    // Ready: the tool is listed.
    expect((await call(1, "proxy.echo.echo", { text: "ready" })).status).toBe(200);
    const finished: string[] = [];
    const slow = call(2, "proxy.echo.sleep", { ms: 400 }).then((res) => (finished.push("sleep"), res));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const fast = call(3, "proxy.echo.echo", { text: "second" }).then((res) => (finished.push("echo"), res));
    const [a, b] = await Promise.all([slow, fast]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(b.body).toContain("second");
    expect(finished).toEqual(["sleep", "echo"]);
  });

  it("proxy.maxTasks and proxy.maxStatelessTasks bound the task tables; proxy.maxOpenElicitations is checked", () => {
    const board = new Switchboard({ proxy: { maxTasks: 2, maxStatelessTasks: 3 }, servers: {} }, { logger: silent, idleGc: false });
    const gateway = gatewayOf(board);
    for (let i = 0; i < 5; i++) gateway.tasks.table.add("client", "b", "b", `legacy-${i}`, 60_000, { taskId: `legacy-${i}`, status: "working" });
    expect(gateway.tasks.table.count("client")).toBe(2);
    const backend = { name: "b", prefixed: false, config: { isolation: "shared" } } as unknown as Backend;
    for (let i = 0; i < 5; i++) gateway.modernTasks.adopt(backend, { resultType: "task", taskId: `modern-${i}`, status: "working", ttlMs: 60_000 });
    expect(gateway.modernTasks.table.size).toBe(3);
    expect(() => new Switchboard({ proxy: { maxOpenElicitations: 0 }, servers: {} }, { logger: silent, idleGc: false })).toThrow(/proxy\.maxOpenElicitations/);
  });
});
