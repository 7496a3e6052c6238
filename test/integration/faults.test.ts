import { spawn } from "node:child_process";
import { request, Agent } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { Switchboard } from "../../src/switchboard.js";
import { silentLogger } from "../../src/log/logger.js";
import { connectHttp } from "../helpers/sdk.js";
import { fixture, MAIN } from "../helpers/paths.js";
import { alive, descendants, rss, waitFor } from "../helpers/procfs.js";
import { jsonHeaders, openSession } from "../helpers/raw-http.js";
import { startHttpSwitchboard, writeConfig, type SwitchboardProcess } from "../helpers/switchboard-process.js";

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

function server(name: string, args: string[] = [], extra: Record<string, unknown> = {}) {
  return { type: "stdio", command: process.execPath, args: [fixture(name), ...args], ...extra };
}

async function started(config: unknown): Promise<SwitchboardProcess> {
  const sb = await startHttpSwitchboard(writeConfig(config));
  cleanups.push(() => sb.stop());
  return sb;
}

/** POST one JSON-RPC request on a session and resolve with the parsed answer. */
function call(url: string, session: string, body: unknown, agent?: Agent): Promise<{ status: number; body: { id?: unknown; result?: { content: Array<{ text: string }> }; error?: { code: number; message: string } } }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: target.hostname, port: target.port, path: target.pathname, method: "POST", headers: jsonHeaders({ "Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-06-18" }), agent },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

const toolCall = (id: number | string, name: string, args: Record<string, unknown>) => ({ jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } });

describe("fault injection", () => {
  it("a backend crashing mid-call fails that call fast and clearly; others go on; it comes back", async () => {
    const sb = await started({ servers: { crashy: server("crash-backend", [], { restart: { initialDelay: 200 } }), echo: server("echo-backend") } });
    const session = await openSession(sb.url);
    const slow = call(sb.url, session, toolCall(1, "proxy.echo.sleep", { ms: 300 }));
    const t0 = Date.now();
    const crashed = await call(sb.url, session, toolCall(2, "proxy.crashy.crash", {}));
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(crashed.body.error?.message).toMatch(/backend "crashy" exited with code 1 while handling tools\/call/);
    expect((await slow).body.result?.content[0]?.text).toBe("slept 300");
    await waitFor(async () => (await call(sb.url, session, toolCall(3, "proxy.crashy.echo", { text: "back" }))).body.result !== undefined, 10_000, "crashy back");
  });

  it("a hanging backend times out with a clear error and leaves no pending entry", async () => {
    // A short call timeout, but a startup that a loaded machine can meet.
    const board = new Switchboard({ servers: { hangs: server("hang-backend", [], { timeout: 300, startupTimeout: 15_000 }) } }, { logger: silentLogger });
    cleanups.push(() => board.close());
    await board.start();
    const calls = await Promise.allSettled(Array.from({ length: 5 }, () => board.callProxiedTool("proxy.hangs.hang", {})));
    for (const outcome of calls) {
      expect(outcome.status).toBe("rejected");
      expect(String((outcome as PromiseRejectedResult).reason)).toMatch(/did not answer tools\/call within 300 ms/);
    }
    expect(board.getProxyStats().backends[0]!.inFlight).toBe(0);
    expect(await board.callProxiedTool("proxy.hangs.echo", { text: "alive" })).toEqual({ content: [{ type: "text", text: "alive" }] });
  });

  it("a 50 MB garbage line from a backend is skipped with bounded memory", async () => {
    const sb = await started({ servers: { garbage: server("garbage-backend") } });
    const session = await openSession(sb.url);
    const before = rss(sb.proc.pid!);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rss(sb.proc.pid!))), 20);
    try {
      const answer = await call(sb.url, session, toolCall(1, "proxy.garbage.huge_line", { bytes: 50 * 1024 * 1024 }));
      expect(answer.body.result?.content[0]?.text).toBe("after huge");
    } finally {
      clearInterval(sampler);
    }
    expect(peak - before).toBeLessThan(40 * 1024 * 1024);
    await sb.waitForLog(/exceeds the limit of 16777216 bytes and was skipped/);
  });

  it("a 20 MB result passes through both fronts intact", async () => {
    const config = { maxMessageBytes: 32 * 1024 * 1024, servers: { echo: server("echo-backend") } };
    const sb = await started(config);
    const client = await connectHttp(sb.url);
    cleanups.push(() => client.close());
    const bytes = 20 * 1024 * 1024;
    const viaHttp = await client.callTool({ name: "proxy.echo.big", arguments: { bytes } });
    const text = (viaHttp.content as Array<{ text: string }>)[0]!.text;
    expect(text.length).toBe(bytes);
    expect(/^x+$/.test(text)).toBe(true);

    const proc = spawn(process.execPath, [MAIN, writeConfig(config), "--stdio"], { stdio: ["pipe", "pipe", "ignore"] });
    cleanups.push(async () => proc.kill("SIGKILL"));
    let out = "";
    proc.stdout.setEncoding("utf8");
    proc.stdout.on("data", (chunk: string) => (out += chunk));
    proc.stdin.write(JSON.stringify(toolCall(9, "proxy.echo.big", { bytes })) + "\n");
    await waitFor(() => out.endsWith("\n"), 20_000, "the big answer");
    const answer = JSON.parse(out) as { id: number; result: { content: Array<{ text: string }> } };
    expect(answer.id).toBe(9);
    expect(answer.result.content[0]!.text.length).toBe(bytes);
  });

  it("a client that reads slowly gets every answer, with memory bounded by backpressure", async () => {
    const proc = spawn(process.execPath, [MAIN, writeConfig({ servers: { echo: server("echo-backend") } }), "--stdio"], { stdio: ["pipe", "pipe", "ignore"] });
    cleanups.push(async () => proc.kill("SIGKILL"));
    await waitFor(() => descendants(proc.pid!).length >= 1, 10_000, "backend up");
    await new Promise((resolve) => setTimeout(resolve, 300));
    const before = rss(proc.pid!);
    proc.stdout.pause();
    // Unbounded, this would hold 1000 × 256 KiB = 250 MiB of answers (several
    // times that as JS strings); bounded, at most 128 answers wait in memory.
    const COUNT = 1000;
    const SIZE = 256 * 1024;
    for (let i = 0; i < COUNT; i++) proc.stdin.write(JSON.stringify(toolCall(i, "proxy.echo.big", { bytes: SIZE })) + "\n");
    // Not reading for a while: the switchboard must not buffer every answer.
    let peak = before;
    for (let i = 0; i < 40; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      peak = Math.max(peak, rss(proc.pid!));
    }
    expect(peak - before).toBeLessThan(160 * 1024 * 1024);
    const seen = new Set<number>();
    let partial = "";
    proc.stdout.setEncoding("utf8");
    proc.stdout.on("data", (chunk: string) => {
      partial += chunk;
      let newline: number;
      while ((newline = partial.indexOf("\n")) !== -1) {
        const message = JSON.parse(partial.slice(0, newline)) as { id: number; result: { content: Array<{ text: string }> } };
        partial = partial.slice(newline + 1);
        expect(message.result.content[0]!.text.length).toBe(SIZE);
        seen.add(message.id);
      }
    });
    proc.stdout.resume();
    await waitFor(() => seen.size === COUNT, 60_000, "every answer");
  }, 90_000);

  it("a client that disconnects mid-call gets its backend call cancelled", async () => {
    const sb = await started({ servers: { echo: server("echo-backend") } });
    const session = await openSession(sb.url);
    const target = new URL(sb.url);
    const req = request({ host: target.hostname, port: target.port, path: target.pathname, method: "POST", headers: jsonHeaders({ "Mcp-Session-Id": session }) });
    req.on("error", () => undefined);
    req.end(JSON.stringify(toolCall(1, "proxy.echo.sleep", { ms: 10_000 })));
    await new Promise((resolve) => setTimeout(resolve, 300));
    req.destroy();
    // The fixture logs "cancelled <backend id>" on stderr when it receives notifications/cancelled.
    await sb.waitForLog(/\[echo\] cancelled \d+/, 5000);
  });

  it("SIGTERM with calls in flight: each is answered or failed, children go, exit 0", async () => {
    const sb = await started({ servers: { echo: server("echo-backend") }, server: { shutdownGrace: 3000 } });
    const session = await openSession(sb.url);
    const children = descendants(sb.proc.pid!).map((p) => p.pid);
    expect(children.length).toBeGreaterThan(0);
    const calls = Array.from({ length: 10 }, (_, i) => call(sb.url, session, toolCall(i, "proxy.echo.sleep", { ms: 500 })).catch((error: unknown) => error));
    await new Promise((resolve) => setTimeout(resolve, 100));
    sb.proc.kill("SIGTERM");
    const outcomes = await Promise.all(calls);
    for (const outcome of outcomes) {
      const answered = typeof outcome === "object" && outcome !== null && "body" in outcome;
      expect(answered).toBe(true);
      const body = (outcome as { body: { result?: unknown; error?: unknown } }).body;
      expect(body.result !== undefined || body.error !== undefined).toBe(true);
    }
    expect(outcomes.filter((o) => (o as { body: { result?: unknown } }).body.result !== undefined).length).toBe(10);
    expect(await sb.exited).toBe(0);
    await waitFor(() => children.every((pid) => !alive(pid)), 5000, "children gone");
  });

  it("200 concurrent sessions × 50 calls: every request gets exactly one correct response", async () => {
    const sb = await started({ servers: { echo: server("echo-backend") }, logLevel: "warn" });
    const agent = new Agent({ keepAlive: true, maxSockets: 64 });
    cleanups.push(async () => agent.destroy());
    const sessions = await Promise.all(Array.from({ length: 200 }, () => openSession(sb.url)));
    const answers = new Map<string, number>();
    const wrong: string[] = [];
    await Promise.all(
      sessions.map(async (session, s) => {
        for (let batch = 0; batch < 5; batch++) {
          await Promise.all(
            Array.from({ length: 10 }, async (_, c) => {
              const text = `s${s}-${batch * 10 + c}`;
              const res = await call(sb.url, session, toolCall(batch * 10 + c, "proxy.echo.echo", { text }), agent);
              const got = res.body.result?.content[0]?.text ?? `error:${JSON.stringify(res.body.error)}`;
              if (got !== text || res.body.id !== batch * 10 + c) wrong.push(`${text} → ${got}`);
              answers.set(got, (answers.get(got) ?? 0) + 1);
            }),
          );
        }
      }),
    );
    expect(wrong).toEqual([]);
    expect(answers.size).toBe(200 * 50);
    expect([...answers.values()].every((n) => n === 1)).toBe(true);
  }, 120_000);
});
