import { spawn } from "node:child_process";
import { Agent, request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { fixture, ROOT } from "../helpers/paths.js";
import { wrap, writeConfig, type SwitchboardProcess } from "../helpers/switchboard-process.js";

const WARM_UP = 3000;
const CALLS = 8000;
const IN_FLIGHT = 32;

const META = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientInfo": { name: "promotion-test", version: "1" },
  "io.modelcontextprotocol/clientCapabilities": {},
};

let running: SwitchboardProcess | undefined;
let agent: Agent | undefined;

afterEach(async () => {
  agent?.destroy();
  agent = undefined;
  if (running && running.proc.exitCode === null && running.proc.signalCode === null) running.proc.kill("SIGKILL");
  await running?.exited;
  running = undefined;
});

/** One stateless 2026-07-28 tools/call over keep-alive HTTP; resolves when its JSON answer has been read. */
function modernCall(url: URL, keepAlive: Agent, id: number): Promise<void> {
  const body = JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "proxy.echo.echo", arguments: { text: `m${id}` }, _meta: META } });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        agent: keepAlive,
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json, text/event-stream",
          "Content-Length": Buffer.byteLength(body),
          "MCP-Protocol-Version": "2026-07-28",
          "Mcp-Method": "tools/call",
          "Mcp-Name": "proxy.echo.echo",
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => (res.statusCode === 200 && text.includes('"result"') ? resolve() : reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 300)}`))));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * Bytes promoted to V8's old generation per stateless call (summed from
 * --trace-gc-nvp on the switchboard's stdout, after a warm-up) while a client
 * keeps 32 calls in flight through the HTTP front to a stdio echo backend.
 * `dist` is the build under test (the suite builds it first).
 */
async function promotedPerCall(dist: string): Promise<number> {
  const config = writeConfig({ logLevel: "warn", servers: { echo: { type: "stdio", command: process.execPath, args: [fixture("echo-backend")] } } });
  const proc = spawn(process.execPath, ["--trace-gc-nvp", `${dist}/main.js`, config, "--port", "0"], { stdio: ["pipe", "pipe", "pipe"] });
  let trace = "";
  proc.stdout.setEncoding("utf8");
  proc.stdout.on("data", (chunk: string) => (trace += chunk));
  running = wrap(proc);
  const line = await running.waitForLog(/listening on (http:\/\/\S+)/, 20_000);
  const url = new URL(/listening on (http:\/\/\S+)/.exec(line)![1]!);
  const keepAlive = (agent = new Agent({ keepAlive: true, maxSockets: 256 }));
  let next = 1;
  const run = async (total: number): Promise<void> => {
    let sent = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (sent++ < total) await modernCall(url, keepAlive, next++);
      }),
    );
  };
  // The echo tool appears once the backend has started.
  for (let attempt = 0; ; attempt++) {
    try {
      await modernCall(url, keepAlive, next++);
      break;
    } catch (error) {
      if (attempt > 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  await run(WARM_UP);
  const start = trace.length;
  await run(CALLS);
  let promoted = 0;
  for (const match of trace.slice(start).matchAll(/ promoted=(\d+)/g)) promoted += Number(match[1]);
  if (process.env["PROMOTION_PRINT"]) console.log(`promoted ${(promoted / CALLS).toFixed(0)} bytes per stateless call`);
  return promoted / CALLS;
}

describe("the HTTP front's stateless (2026-07-28) calls under load", () => {
  it("do not promote each request's graph to the old generation (its client and bridged call are not kept in churned Maps)", async () => {
    // Attached clients (modern:N) and tracked bridged calls (mrtr:N) in plain Maps kept ~0.7 KB of every call alive through young collections.
    expect(await promotedPerCall(process.env["PROMOTION_DIST"] ?? `${ROOT}dist`)).toBeLessThan(400);
  }, 30_000);
});
