import { spawn } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAIN } from "../helpers/paths.js";
import { waitFor } from "../helpers/procfs.js";
import { writeConfig } from "../helpers/switchboard-process.js";

describe("stdio front under random bytes", () => {
  it("never crashes, answers only with JSON-RPC, and still answers a ping afterwards", async () => {
    const proc = spawn(process.execPath, [MAIN, writeConfig({ servers: {}, maxMessageBytes: 64 * 1024 }), "--stdio"], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    proc.stdout.setEncoding("utf8");
    proc.stdout.on("data", (chunk: string) => (out += chunk));
    const samples = fc.sample(
      fc.oneof(
        fc.uint8Array({ maxLength: 2000 }).map((bytes) => Buffer.from(bytes)),
        fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) + "\n")),
        fc.string({ unit: "binary" }).map((s) => Buffer.from(s + "\n")),
      ),
      { numRuns: 300, seed: 42 },
    );
    try {
      for (const sample of samples) proc.stdin.write(sample);
      // A huge line: skipped with bounded memory.
      proc.stdin.write(Buffer.alloc(2 * 1024 * 1024, 0x61));
      proc.stdin.write("\n" + JSON.stringify({ jsonrpc: "2.0", id: "last", method: "ping" }) + "\n");
      await waitFor(() => out.includes('"id":"last"'), 15_000, "the final ping's answer");
      for (const line of out.split("\n").filter(Boolean)) {
        const message = JSON.parse(line) as { jsonrpc: string };
        expect(message.jsonrpc).toBe("2.0");
      }
      expect(proc.exitCode).toBeNull();
    } finally {
      proc.kill("SIGKILL");
    }
  });
});
