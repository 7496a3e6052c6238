import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import type { HttpServerConfig, SseServerConfig } from "../../src/config/types.js";
import { fixture, nodeModule } from "./paths.js";

/** A port free a moment ago (for servers that cannot report the port they bound). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** A server process on loopback, stopped by stop(). */
export interface RemoteServer {
  url: string;
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

function waitFor(child: ChildProcess, pattern: RegExp, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`${what} did not start: ${seen}`)), 10_000);
    const look = (chunk: Buffer): void => {
      seen += chunk.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", look);
    child.stderr?.on("data", look);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}: ${seen}`));
    });
  });
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGKILL");
    });
}

/** The official server-everything in its `streamableHttp` or `sse` mode on `port` (a free one by default). */
export async function startEverything(mode: "streamableHttp" | "sse", port?: number): Promise<RemoteServer> {
  const chosen = port ?? (await freePort());
  const child = spawn(process.execPath, [nodeModule("@modelcontextprotocol/server-everything/dist/index.js"), mode], {
    env: { ...process.env, PORT: String(chosen) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  await waitFor(child, /listening on port|running on port/, `server-everything ${mode}`);
  const url = `http://127.0.0.1:${chosen}/${mode === "sse" ? "sse" : "mcp"}`;
  return { url, port: chosen, child, stop: stopper(child) };
}

/** A fixture program that prints `listening <url>` once it serves (fixtures/NAME.mjs with args). */
export async function startFixture(name: string, args: string[] = []): Promise<RemoteServer> {
  const child = spawn(process.execPath, [fixture(name), ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let url = "";
  await new Promise<void>((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${seen}`)), 10_000);
    const look = (chunk: Buffer): void => {
      seen += chunk.toString();
      const match = /(http:\/\/\S+)/.exec(seen);
      if (match && !url) {
        url = match[1]!;
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on("data", look);
    child.stderr.on("data", look);
    child.once("exit", (code) => reject(new Error(`${name} exited with ${code}: ${seen}`)));
  });
  return { url, port: Number(new URL(url).port), child, stop: stopper(child) };
}

const COMMON = {
  headers: {},
  tls: { rejectUnauthorized: true },
  timeoutMs: 5000,
  startupTimeoutMs: 5000,
  prefix: true,
  enabled: true,
  restart: { maxAttempts: 1000, initialDelayMs: 100, maxDelayMs: 500 },
  isolation: "shared" as const,
};

/** A Streamable HTTP server config with test-friendly defaults. */
export function httpServer(url: string, overrides: Partial<HttpServerConfig> = {}): HttpServerConfig {
  return { type: "http", url, sseFallback: false, ...COMMON, ...overrides };
}

/** A legacy HTTP+SSE server config with test-friendly defaults. */
export function sseServer(url: string, overrides: Partial<SseServerConfig> = {}): SseServerConfig {
  return { type: "sse", url, ...COMMON, ...overrides };
}
