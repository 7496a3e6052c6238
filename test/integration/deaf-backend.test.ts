import { request, type ClientRequest } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { fixture } from "../helpers/paths.js";
import { rss, waitFor } from "../helpers/procfs.js";
import { jsonHeaders, openSession } from "../helpers/raw-http.js";
import { startHttpSwitchboard, writeConfig } from "../helpers/switchboard-process.js";

const MB = 1024 * 1024;
const CALLS = 120;
const ARGUMENT_BYTES = Math.round(3.9 * 1000 * 1000);

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

describe("a backend that stops reading its stdin", () => {
  it("large calls to it fail at once with a clear error, and what waits for it stays bounded", async () => {
    // A long timeout: without the bound every call would wait for it, holding its arguments.
    const config = writeConfig({ servers: { deaf: { type: "stdio", command: process.execPath, args: [fixture("deaf-backend")], timeout: 120_000 } } });
    const sb = await startHttpSwitchboard(config);
    cleanups.push(() => sb.stop());
    await sb.waitForLog(/\[deaf\] deaf from now on/);
    const session = await openSession(sb.url);
    const pid = sb.proc.pid!;
    const base = rss(pid);
    let peak = base;
    const sampler = setInterval(() => (peak = Math.max(peak, rss(pid))), 20);
    cleanups.push(async () => clearInterval(sampler));

    const target = new URL(sb.url);
    const requests: ClientRequest[] = [];
    cleanups.push(async () => requests.forEach((req) => req.destroy()));
    const answers: Array<{ error?: { message: string } }> = [];
    const pad = "x".repeat(ARGUMENT_BYTES);
    for (let i = 0; i < CALLS; i++) {
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: "POST",
          headers: jsonHeaders({ "Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-06-18" }),
          agent: false,
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => (text += chunk));
          res.on("end", () => answers.push(JSON.parse(text) as { error?: { message: string } }));
        },
      );
      req.on("error", () => undefined);
      req.end(JSON.stringify({ jsonrpc: "2.0", id: i + 10, method: "tools/call", params: { name: "proxy.deaf.echo", arguments: { pad } } }));
      requests.push(req);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // All but the few that fit in the bound are refused without waiting for the timeout.
    await waitFor(() => answers.length >= CALLS - 12, 30_000, "the refused calls' answers");
    clearInterval(sampler);
    expect(answers.every((answer) => /not reading its input/.test(answer.error?.message ?? ""))).toBe(true);
    // Unbounded, every call waited for the timeout holding its 3.9 MB at least twice (its
    // body and the line queued for the backend): ~940 MB here, kept until the timeout.
    // Bounded, the peak is mostly garbage not yet collected, and what stays is the few
    // calls that fit in the queue (~32 MiB of lines, and their bodies while they wait).
    expect(peak - base).toBeLessThan(400 * MB);
    let now = rss(pid);
    const deadline = Date.now() + 20_000;
    while (now - base > 200 * MB && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      now = rss(pid);
    }
    expect(now - base).toBeLessThan(200 * MB);
  }, 60_000);
});
