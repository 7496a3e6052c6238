import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { readFileSync } from "node:fs";
import { MAIN } from "../helpers/paths.js";

/** One of the spec's example messages (/work/shared/mcp-schema/2026-07-28/examples/<Type>/<name>.json), the test vectors. */
export function example(type: string, name: string): Record<string, unknown> & { id: string | number; method: string; params: Record<string, unknown> } {
  const root = process.env["MCP_SCHEMA_EXAMPLES"] ?? "/work/shared/mcp-schema/2026-07-28/examples";
  return JSON.parse(readFileSync(`${root}/${type}/${name}.json`, "utf8")) as ReturnType<typeof example>;
}

/** The modern `_meta` of a request (the spec's example client). */
export function modernMeta(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientInfo": { name: "ExampleClient", version: "1.0.0" },
    "io.modelcontextprotocol/clientCapabilities": {},
    ...extra,
  };
}

/** A modern request body. */
export function modernRequest(
  id: string | number,
  method: string,
  params: Record<string, unknown> = {},
  meta: Record<string, unknown> = {},
): { id: string | number; method: string; params: Record<string, unknown> } & Record<string, unknown> {
  return { jsonrpc: "2.0", id, method, params: { ...params, _meta: modernMeta(meta) } };
}

/** A raw stdio client of `node dist/main.js config --stdio`: send lines, await answers by id or by predicate. */
export class RawStdio {
  readonly proc: ChildProcessWithoutNullStreams;
  readonly received: Array<Record<string, unknown>> = [];
  private waiters: Array<{ match: (m: Record<string, unknown>) => boolean; resolve: (m: Record<string, unknown>) => void }> = [];

  constructor(configPath: string) {
    this.proc = spawn(process.execPath, [MAIN, configPath, "--stdio"], { stdio: ["pipe", "pipe", "pipe"] });
    let partial = "";
    this.proc.stdout.setEncoding("utf8");
    this.proc.stdout.on("data", (chunk: string) => {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines.filter(Boolean)) {
        const message = JSON.parse(line) as Record<string, unknown>;
        this.received.push(message);
        for (const waiter of [...this.waiters]) {
          if (waiter.match(message)) {
            this.waiters.splice(this.waiters.indexOf(waiter), 1);
            waiter.resolve(message);
          }
        }
      }
    });
  }

  send(message: unknown): void {
    this.proc.stdin.write(`${JSON.stringify(message)}\n`);
  }

  next(match: (m: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    const found = this.received.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  request(message: { id: string | number } & Record<string, unknown>): Promise<Record<string, unknown>> {
    this.send({ jsonrpc: "2.0", ...message });
    return this.next((m) => m["id"] === message.id && ("result" in m || "error" in m));
  }

  async close(): Promise<void> {
    this.proc.stdin.end();
    if (this.proc.exitCode === null) await new Promise((resolve) => this.proc.once("exit", resolve));
  }
}
