// The things measured side by side, each started fresh: the echo backend
// directly, the switchboard's two fronts, a bare node:http floor, and two
// existing front-ends from npm as peers.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { HttpClient, StdioClient } from "./lean-clients.mjs";
import { until } from "./measure.mjs";

export const ROOT = fileURLToPath(new URL("../", import.meta.url));
const NODE = process.execPath;
export const ECHO = join(ROOT, "fixtures/echo-backend.mjs");
const MAIN = join(ROOT, "dist/main.js");
const live = new Set();

/** Kill every process a target started (also on exit). */
export function killAll() {
  for (const proc of live) {
    try {
      process.kill(-proc.pid, "SIGKILL");
    } catch {
      proc.kill("SIGKILL");
    }
  }
  live.clear();
}
process.on("exit", killAll);

/** Write a switchboard config with `backends` (name → args for node). */
export function switchboardConfig(backends) {
  const dir = mkdtempSync(join(tmpdir(), "switchboard-bench-"));
  const file = join(dir, "config.json");
  const servers = Object.fromEntries(Object.entries(backends).map(([name, args]) => [name, { type: "stdio", command: NODE, args }]));
  writeFileSync(file, JSON.stringify({ logLevel: "warn", servers }));
  return file;
}

/** Spawn a long-running process in its own group; resolves with the URL it prints. */
export function spawnServer(command, args, pattern = /listening on (http:\/\/\S+)/, extra = {}) {
  const proc = spawn(command, args, { stdio: ["ignore", "ignore", "pipe"], detached: true, ...extra });
  live.add(proc);
  proc.once("exit", () => live.delete(proc));
  let seen = "";
  const url = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} ${args.join(" ")} did not start:\n${seen}`)), 30_000);
    proc.stderr.setEncoding("utf8");
    proc.stderr.on("data", (chunk) => {
      seen += chunk;
      const match = pattern ? pattern.exec(seen) : null;
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    if (!pattern) {
      clearTimeout(timer);
      resolve(undefined);
    }
  });
  return { proc, url };
}

/** Stop a process group politely, then firmly. */
export async function stopServer(proc) {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((resolve) => proc.once("exit", resolve));
  try {
    process.kill(-proc.pid, "SIGTERM");
  } catch {
    proc.kill("SIGTERM");
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-proc.pid, "SIGKILL");
    } catch {
      proc.kill("SIGKILL");
    }
  }, 3000);
  await exited;
  clearTimeout(timer);
}

/** A free TCP port on loopback. */
export function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function httpTarget(url, proc, tool, options = {}) {
  const client = new HttpClient(url, 256, options);
  await until(async () => {
    await client.initialize();
    return true;
  }, 30_000, 100);
  return { client, pid: proc.pid, tool, url, stop: async () => (await client.close(), await stopServer(proc)) };
}

/** A switchboard build (`main`) whose one backend is the bare-http echo server as a remote Streamable HTTP server. */
async function remoteTarget(main) {
  const remote = spawnServer(NODE, [join(ROOT, "bench/bare-http-server.mjs")]);
  const dir = mkdtempSync(join(tmpdir(), "switchboard-bench-"));
  const file = join(dir, "config.json");
  writeFileSync(file, JSON.stringify({ logLevel: "warn", servers: { echo: { type: "http", url: await remote.url } } }));
  const { proc, url } = spawnServer(NODE, [main, file, "--port", "0"]);
  const target = await httpTarget(await url, proc, "proxy.echo.echo");
  const client = target.client;
  await until(async () => (await client.request("tools/list", {})).tools.length > 0, 10_000);
  return { ...target, stop: async () => (await target.stop(), await stopServer(remote.proc)) };
}

/** Every target: name → start() returning { client, pid, tool, url?, stop }. */
export const TARGETS = {
  direct: {
    label: "backend over stdio, direct (floor)",
    async start() {
      const client = new StdioClient(NODE, [ECHO]);
      await client.initialize();
      return { client, pid: client.pid, tool: "echo", stop: () => client.close() };
    },
  },
  "byte-relay": {
    label: "byte relay over stdio (stdio-front floor)",
    async start() {
      const client = new StdioClient(NODE, [join(ROOT, "bench/byte-relay.mjs"), NODE, ECHO]);
      await client.initialize();
      return { client, pid: client.pid, tool: "echo", stop: () => client.close() };
    },
  },
  "switchboard-stdio": {
    label: "switchboard, stdio front",
    async start() {
      const client = new StdioClient(NODE, [MAIN, switchboardConfig({ echo: [ECHO] }), "--stdio"]);
      await client.initialize();
      await until(async () => (await client.request("tools/list", {})).tools.length > 0, 10_000);
      return { client, pid: client.pid, tool: "proxy.echo.echo", stop: () => client.close() };
    },
  },
  "switchboard-http": {
    label: "switchboard, HTTP front",
    async start() {
      const { proc, url } = spawnServer(NODE, [MAIN, switchboardConfig({ echo: [ECHO] }), "--port", "0"]);
      return httpTarget(await url, proc, "proxy.echo.echo");
    },
  },
  "switchboard-http-modern": {
    label: "switchboard, HTTP front, 2026-07-28 stateless",
    async start() {
      const { proc, url } = spawnServer(NODE, [MAIN, switchboardConfig({ echo: [ECHO] }), "--port", "0"]);
      return httpTarget(await url, proc, "proxy.echo.echo", { modern: true });
    },
  },
  "switchboard-remote": {
    label: "switchboard, HTTP front, remote Streamable HTTP backend (bare-http)",
    start: () => remoteTarget(MAIN),
  },
  "http-relay": {
    label: "bare node:http relay to bare-http (remote floor)",
    async start() {
      const remote = spawnServer(NODE, [join(ROOT, "bench/bare-http-server.mjs")]);
      const { proc, url } = spawnServer(NODE, [join(ROOT, "bench/bare-http-relay.mjs"), await remote.url]);
      const target = await httpTarget(await url, proc, "echo");
      return { ...target, stop: async () => (await target.stop(), await stopServer(remote.proc)) };
    },
  },
  "bare-http": {
    label: "bare node:http in-process (HTTP floor)",
    async start() {
      const { proc, url } = spawnServer(NODE, [join(ROOT, "bench/bare-http-server.mjs")]);
      return httpTarget(await url, proc, "echo");
    },
  },
  supergateway: {
    label: "supergateway --stateful (peer)",
    peer: true,
    async start() {
      const port = await freePort();
      const { proc } = spawnServer(
        NODE,
        [join(ROOT, "node_modules/supergateway/dist/index.js"), "--stdio", `${NODE} ${ECHO}`, "--outputTransport", "streamableHttp", "--stateful", "--port", String(port), "--logLevel", "none"],
        null,
      );
      return httpTarget(`http://127.0.0.1:${port}/mcp`, proc, "echo");
    },
  },
  "mcp-proxy": {
    label: "mcp-proxy --no-eventStore (peer)",
    peer: true,
    async start() {
      const port = await freePort();
      const { proc } = spawnServer(
        NODE,
        [join(ROOT, "node_modules/mcp-proxy/dist/bin/mcp-proxy.mjs"), "--port", String(port), "--host", "127.0.0.1", "--no-eventStore", "--server", "stream", "--", NODE, ECHO],
        null,
      );
      return httpTarget(`http://127.0.0.1:${port}/mcp`, proc, "echo");
    },
  },
};

// BENCH_BASELINE=/path/to/other/checkout/dist/main.js adds that build's two
// fronts to the same interleaved run: an A/B of a change on the same
// machine at the same time (the only comparison this noisy machine allows).
const BASELINE = process.env.BENCH_BASELINE;
if (BASELINE) {
  TARGETS["baseline-stdio"] = {
    label: "baseline build, stdio front",
    async start() {
      const client = new StdioClient(NODE, [BASELINE, switchboardConfig({ echo: [ECHO] }), "--stdio"]);
      await client.initialize();
      await until(async () => (await client.request("tools/list", {})).tools.length > 0, 10_000);
      return { client, pid: client.pid, tool: "proxy.echo.echo", stop: () => client.close() };
    },
  };
  TARGETS["baseline-remote"] = {
    label: "baseline build, remote HTTP backend",
    start: () => remoteTarget(BASELINE),
  };
  TARGETS["baseline-http"] = {
    label: "baseline build, HTTP front",
    async start() {
      const { proc, url } = spawnServer(NODE, [BASELINE, switchboardConfig({ echo: [ECHO] }), "--port", "0"]);
      return httpTarget(await url, proc, "proxy.echo.echo");
    },
  };
}
