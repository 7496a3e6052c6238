import { spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { Client as SdkClient } from "@modelcontextprotocol/sdk/client/index.js";
import { connectStdio } from "../helpers/sdk.js";
import { fixture, nodeModule, ROOT } from "../helpers/paths.js";
import { writeConfig } from "../helpers/switchboard-process.js";
import { alive, descendants, waitFor } from "../helpers/procfs.js";
import { join } from "node:path";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

function twoBackendConfig(): string {
  const memoryFile = join(mkdtempSync(join(tmpdir(), "sb-memory-")), "memory.jsonl");
  return writeConfig({
    proxy: { enabled: true, namespace: "proxy" },
    servers: {
      echo: { type: "stdio", command: process.execPath, args: [fixture("echo-backend")] },
      memory: {
        type: "stdio",
        command: process.execPath,
        args: [nodeModule("@modelcontextprotocol/server-memory/dist/index.js")],
        env: { MEMORY_FILE_PATH: memoryFile },
      },
    },
  });
}

describe("stdio front with the official SDK client", () => {
  it("lists and calls tools of a fixture and of a real npm server", async () => {
    const { client } = await connectStdio(twoBackendConfig());
    cleanups.push(() => client.close());
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toContain("proxy.echo.echo");
    expect(names).toContain("proxy.echo.add");
    expect(names).toContain("proxy.memory.create_entities");
    expect(names).toContain("proxy.memory.read_graph");
    // Deterministic order: backends in config order.
    expect(names.indexOf("proxy.echo.echo")).toBeLessThan(names.indexOf("proxy.memory.read_graph"));

    const echoed = await client.callTool({ name: "proxy.echo.echo", arguments: { text: "héllo wörld ✓" } });
    expect(echoed.content).toEqual([{ type: "text", text: "héllo wörld ✓" }]);

    const sum = await client.callTool({ name: "proxy.echo.add", arguments: { a: 2, b: 40 } });
    expect(sum.structuredContent).toEqual({ sum: 42 });

    await client.callTool({
      name: "proxy.memory.create_entities",
      arguments: { entities: [{ name: "switchboard", entityType: "project", observations: ["routes MCP"] }] },
    });
    const graph = await client.callTool({ name: "proxy.memory.read_graph", arguments: {} });
    expect(JSON.stringify(graph.content)).toContain("routes MCP");
  });

  it("passes results through unchanged: isError, structuredContent and _meta", async () => {
    const { client } = await connectStdio(twoBackendConfig());
    cleanups.push(() => client.close());
    const failed = await client.callTool({ name: "proxy.echo.fail", arguments: { message: "nope" } });
    expect(failed).toEqual({ isError: true, content: [{ type: "text", text: "nope" }] });
    const meta = await client.callTool({ name: "proxy.echo.meta", arguments: {} });
    expect(meta._meta).toEqual({ "fixture/marker": 42 });
    expect(meta.structuredContent).toEqual({ ok: true });
  });

  it("names the unknown tool in its error", async () => {
    const { client } = await connectStdio(twoBackendConfig());
    cleanups.push(() => client.close());
    await expect(client.callTool({ name: "proxy.echo.nope", arguments: {} })).rejects.toThrow(/Unknown tool: "proxy\.echo\.nope"/);
  });

  it("serves local tools beside proxied ones when embedded", async () => {
    const config = twoBackendConfig();
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [join(ROOT, "test/programs/embedded-switchboard.mjs"), config],
      stderr: "pipe",
    });
    const client: Client = new SdkClient({ name: "t", version: "1" });
    await client.connect(transport);
    cleanups.push(() => client.close());
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names.slice(0, 3)).toEqual(["local_greet", "local_stats", "local_via_proxy"]);
    expect(names).toContain("proxy.echo.echo");
    expect(names).toContain("proxy.memory.read_graph");
    const greet = await client.callTool({ name: "local_greet", arguments: { name: "Ada" } });
    expect(greet.content).toEqual([{ type: "text", text: "Hello, Ada!" }]);
    const stats = await client.callTool({ name: "local_stats", arguments: {} });
    expect(stats.structuredContent).toMatchObject({ enabled: true, namespace: "proxy", servers: 2 });
    expect((stats.structuredContent as { tools: number }).tools).toBeGreaterThan(5);
    const via = await client.callTool({ name: "local_via_proxy", arguments: { name: "proxy.echo.echo", args: { text: "inner" } } });
    expect(via.content).toEqual([{ type: "text", text: "inner" }]);
  });

  it("answers invalid JSON and bad envelopes with JSON-RPC errors and keeps serving", async () => {
    const config = writeConfig({ servers: { echo: { type: "stdio", command: process.execPath, args: [fixture("echo-backend")] } } });
    const proc = spawn(process.execPath, [join(ROOT, "dist/main.js"), config, "--stdio"], { stdio: ["pipe", "pipe", "pipe"] });
    cleanups.push(async () => {
      proc.kill("SIGKILL");
    });
    const lines: unknown[] = [];
    let partial = "";
    proc.stdout.setEncoding("utf8");
    proc.stdout.on("data", (chunk: string) => {
      partial += chunk;
      const parts = partial.split("\n");
      partial = parts.pop()!;
      for (const part of parts) lines.push(JSON.parse(part));
    });
    const send = (text: string): void => void proc.stdin.write(text + "\n");
    send("this is not json");
    send(JSON.stringify({ jsonrpc: "1.0", id: 7, method: "ping" }));
    send(JSON.stringify([{ jsonrpc: "2.0", id: 8, method: "ping" }]));
    send(JSON.stringify({ jsonrpc: "2.0", id: 9, method: "no/such/method" }));
    send(JSON.stringify({ jsonrpc: "2.0", id: 10, method: "tools/call", params: { arguments: {} } }));
    send(JSON.stringify({ jsonrpc: "2.0", id: 11, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } } }));
    await waitFor(() => lines.length >= 6, 10_000, "six answers");
    expect(lines[0]).toMatchObject({ id: null, error: { code: -32700 } });
    expect(lines[1]).toMatchObject({ id: 7, error: { code: -32600 } });
    expect(lines[2]).toMatchObject({ id: null, error: { code: -32600 } });
    expect(lines[3]).toMatchObject({ id: 9, error: { code: -32601, message: "Method not found: no/such/method" } });
    expect(lines[4]).toMatchObject({ id: 10, error: { code: -32602 } });
    expect(lines[5]).toMatchObject({ id: 11, result: { protocolVersion: "2025-06-18", serverInfo: { name: "mcp-switchboard" }, capabilities: { tools: { listChanged: true } } } });
  });

  it("answers an oversized message with an error and keeps serving", async () => {
    const config = writeConfig({ maxMessageBytes: 4096, servers: {} });
    const proc = spawn(process.execPath, [join(ROOT, "dist/main.js"), config, "--stdio"], { stdio: ["pipe", "pipe", "pipe"] });
    cleanups.push(async () => {
      proc.kill("SIGKILL");
    });
    let out = "";
    proc.stdout.setEncoding("utf8");
    proc.stdout.on("data", (chunk: string) => (out += chunk));
    proc.stdin.write(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping", params: { pad: "x".repeat(100_000) } }) + "\n");
    proc.stdin.write(JSON.stringify({ jsonrpc: "2.0", id: 2, method: "ping" }) + "\n");
    await waitFor(() => out.split("\n").filter(Boolean).length >= 2, 10_000, "two answers");
    const [first, second] = out.split("\n").filter(Boolean).map((line) => JSON.parse(line) as { id: unknown; error?: { code: number; message: string } });
    expect(first).toMatchObject({ id: null, error: { code: -32600 } });
    expect(first!.error!.message).toMatch(/exceeds the limit of 4096 bytes/);
    expect(second).toEqual({ jsonrpc: "2.0", id: 2, result: {} });
  });

  it("leaves no child process behind when the client closes stdin", async () => {
    const config = twoBackendConfig();
    const proc = spawn(process.execPath, [join(ROOT, "dist/main.js"), config, "--stdio"], { stdio: ["pipe", "pipe", "pipe"] });
    const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
    await waitFor(() => descendants(proc.pid!).length >= 2, 15_000, "two backends spawned");
    const children = descendants(proc.pid!).map((p) => p.pid);
    proc.stdin.end();
    expect(await exited).toBe(0);
    await waitFor(() => children.every((pid) => !alive(pid)), 5_000, "backends gone");
  });

  it("a backend killed mid-call fails that call within a second, comes back, and nothing remains after close", async () => {
    const config = writeConfig({ servers: { echo: { type: "stdio", command: process.execPath, args: [fixture("echo-backend")], restart: { initialDelay: 200 } } } });
    const { client, transport } = await connectStdio(config);
    const switchboardPid = transport.pid!;
    const pidOf = async () => Number(((await client.callTool({ name: "proxy.echo.pid", arguments: {} })).content as Array<{ text: string }>)[0]!.text);
    const first = await pidOf();
    const slow = client.callTool({ name: "proxy.echo.sleep", arguments: { ms: 10_000 } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const t0 = Date.now();
    process.kill(first, "SIGKILL");
    await expect(slow).rejects.toThrow(/backend "echo" was killed by SIGKILL while handling tools\/call/);
    expect(Date.now() - t0).toBeLessThan(1000);
    let second = 0;
    await waitFor(async () => {
      second = await pidOf().catch(() => 0);
      return second !== 0;
    }, 10_000, "the backend back");
    expect(second).not.toBe(first);
    const children = descendants(switchboardPid).map((p) => p.pid);
    expect(children).toContain(second);
    await client.close();
    await waitFor(() => !alive(switchboardPid) && children.every((pid) => !alive(pid)), 5000, "everything gone");
  });
});
