import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { Switchboard } from "../../src/switchboard.js";
import { silentLogger } from "../../src/log/logger.js";
import { ConfigError } from "../../src/config/config-error.js";
import { SwitchboardError } from "../../src/jsonrpc/local-error.js";
import { liveChildren } from "../../src/backend/child-process.js";
import { fixture } from "../helpers/paths.js";
import { waitFor } from "../helpers/procfs.js";

const boards: Switchboard[] = [];
afterEach(async () => {
  for (const board of boards.splice(0)) await board.close();
});

function make(config: unknown): Switchboard {
  const board = new Switchboard(config, { logger: silentLogger, idleGc: false });
  boards.push(board);
  return board;
}

const echo = { type: "stdio", command: process.execPath, args: [fixture("echo-backend")] };

/** Serve a board over in-memory streams and talk raw JSON-RPC to it. */
async function wire(board: Switchboard) {
  const input = new PassThrough();
  const output = new PassThrough();
  const answers = new Map<number, { result?: Record<string, unknown>; error?: { code: number; message: string } }>();
  let partial = "";
  output.setEncoding("utf8");
  output.on("data", (chunk: string) => {
    partial += chunk;
    let newline: number;
    while ((newline = partial.indexOf("\n")) !== -1) {
      const message = JSON.parse(partial.slice(0, newline)) as { id: number; result?: Record<string, unknown>; error?: { code: number; message: string } };
      partial = partial.slice(newline + 1);
      answers.set(message.id, message);
    }
  });
  await board.run({ transport: "stdio", input, output });
  let id = 0;
  return async (method: string, params?: Record<string, unknown>) => {
    const mine = ++id;
    input.write(JSON.stringify({ jsonrpc: "2.0", id: mine, method, params }) + "\n");
    await waitFor(() => answers.has(mine), 10_000, `answer to ${method}`);
    return answers.get(mine)!;
  };
}

describe("Switchboard embedding API", () => {
  it("rejects a bad config with every issue listed", () => {
    let error: unknown;
    try {
      make({ servers: { a: { command: 3 }, b: { args: [1] } } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => i.path)).toEqual(["servers.a.command", "servers.b.command", "servers.b.args"]);
  });

  it("normalises what local tools return, and answers a result JSON cannot carry with an error", async () => {
    const board = make({ servers: {} });
    board
      .tool({ name: "text" }, () => "plain")
      .tool({ name: "object" }, () => ({ a: 1 }))
      .tool({ name: "full" }, () => ({ content: [{ type: "text", text: "as is" }], isError: false }))
      .tool({ name: "throws" }, () => {
        throw new Error("tool broke");
      })
      .tool({ name: "bigint" }, () => ({ content: [], structuredContent: { n: 10n } }));
    const call = await wire(board);
    expect((await call("tools/call", { name: "text" })).result).toEqual({ content: [{ type: "text", text: "plain" }] });
    expect((await call("tools/call", { name: "object" })).result).toEqual({ content: [{ type: "text", text: '{\n  "a": 1\n}' }], structuredContent: { a: 1 } });
    expect((await call("tools/call", { name: "full" })).result).toEqual({ content: [{ type: "text", text: "as is" }], isError: false });
    expect((await call("tools/call", { name: "throws" })).result).toEqual({ content: [{ type: "text", text: "tool broke" }], isError: true });
    const big = await call("tools/call", { name: "bigint" });
    expect(big.error?.code).toBe(-32603);
    expect(big.error?.message).toMatch(/the result could not be sent/);
    // Still serving.
    expect((await call("ping")).result).toEqual({});
  });

  it("refuses a local tool under a backend's prefix, and duplicate names", () => {
    const board = make({ servers: { echo } });
    expect(() => board.tool({ name: "proxy.echo.sneaky" }, () => "x")).toThrowError(/prefix of backend "echo"/);
    board.tool({ name: "mine" }, () => "x");
    let error: unknown;
    try {
      board.tool({ name: "mine" }, () => "y");
    } catch (e) {
      error = e;
    }
    expect((error as SwitchboardError).code).toBe("NAME_COLLISION");
  });

  it("getProxyStats, callProxiedTool, enableProxy and close", async () => {
    const board = make({ proxy: { enabled: false }, servers: { echo } });
    board.tool({ name: "local" }, () => "x");
    await board.start();
    expect(board.getProxyStats()).toMatchObject({ enabled: false, namespace: "proxy", servers: 0, tools: 0, localTools: 1 });

    const before = liveChildren();
    await board.enableProxy({ servers: { echo, other: { ...echo, env: { FIXTURE_NAME: "other" } } } });
    const stats = board.getProxyStats();
    expect(stats).toMatchObject({ enabled: true, servers: 2, localTools: 1 });
    expect(stats.tools).toBe(22);
    expect(stats.backends.map((b) => [b.name, b.state, b.serverInfo?.name])).toEqual([
      ["echo", "ready", "echo"],
      ["other", "ready", "other"],
    ]);
    expect(liveChildren()).toBe(before + 2);
    expect(await board.callProxiedTool("proxy.other.echo", { text: "via api" })).toEqual({ content: [{ type: "text", text: "via api" }] });

    await board.enableProxy({ servers: { echo } });
    expect(board.getProxyStats().servers).toBe(1);
    expect(liveChildren()).toBe(before + 1);

    await board.close();
    expect(liveChildren()).toBe(before);
    await expect(board.run({ transport: "stdio" })).rejects.toThrow(/closed/);
  });

  it("getProxyStats counts exposed tools only: none left out by collisions or maxNameLength", async () => {
    const plain = { ...echo, prefix: false };
    const board = make({ proxy: { maxNameLength: 15 }, servers: { one: plain, two: plain, long: echo } });
    board.tool({ name: "echo" }, () => "local echo");
    await board.start();
    // "one": 11 tools, its "echo" taken by the local tool; "two": every name taken by "one";
    // "long": proxy.long.echo (15 characters) fits, proxy.long.remove_tool does not.
    const exposedProxied = board.router.tools.length - 1;
    const stats = board.getProxyStats();
    expect(stats.localTools).toBe(1);
    expect(stats.tools).toBe(exposedProxied);
    expect(stats.tools).toBe(10 + board.router.tools.filter((tool) => tool.name.startsWith("proxy.long.")).length);
    expect(stats.tools).toBeLessThan(10 + 11);
    expect(await board.callProxiedTool("echo", { text: "x" })).toEqual({ content: [{ type: "text", text: "local echo" }] });
  });

  it("tells clients the tool list changed when a backend's tools change", async () => {
    const board = make({ servers: { echo } });
    const input = new PassThrough();
    const output = new PassThrough();
    let seen = "";
    output.setEncoding("utf8");
    output.on("data", (chunk: string) => (seen += chunk));
    await board.run({ transport: "stdio", input, output });
    input.write(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } } }) + "\n");
    input.write(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }) + "\n");
    input.write(JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "proxy.echo.add_tool", arguments: { name: "fresh" } } }) + "\n");
    // The backend coming up sends a list_changed of its own first: wait for the one after add_tool's answer.
    await waitFor(() => seen.includes('"id":2'), 5000, "add_tool answered");
    await waitFor(() => seen.indexOf("notifications/tools/list_changed", seen.indexOf('"id":2')) !== -1, 5000, "list_changed");
    input.write(JSON.stringify({ jsonrpc: "2.0", id: 3, method: "tools/list" }) + "\n");
    await waitFor(() => seen.includes('"proxy.echo.fresh"'), 5000, "the new tool listed");
  });
});

describe("HTTP front hygiene", () => {
  it("a failed initialize leaves no session and no subscriber behind", async () => {
    const board = make({ servers: {} });
    const front = await board.run({ transport: "http", port: 0 });
    const before = board.router.subscriberCount;
    for (let i = 0; i < 20; i++) {
      const res = await fetch(front.url!, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream" },
        body: JSON.stringify({ jsonrpc: "2.0", id: i, method: "initialize", params: {} }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get("mcp-session-id")).toBeNull();
      expect(((await res.json()) as { error: { code: number } }).error.code).toBe(-32602);
    }
    await waitFor(() => board.router.subscriberCount === before, 2000, "subscribers released");
    expect(board.health().sessions).toBe(0);
    await front.close();
  });
});
