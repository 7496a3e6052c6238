import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/paths.js";

function runConformance(args: string[] = []): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [join(ROOT, "test/conformance/run-conformance.mjs"), ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    proc.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    proc.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    proc.once("exit", (code) => resolve({ code, output }));
  });
}

function baseline(names: string[]): string {
  const file = join(mkdtempSync(join(tmpdir(), "sb-baseline-")), "expected.yml");
  writeFileSync(file, names.length === 0 ? "server: []\n" : `server:\n${names.map((n) => `  - ${n}`).join("\n")}\n`);
  return file;
}

describe("official MCP conformance suite through the switchboard", () => {
  it("every server scenario matches the expected-failures baseline", async () => {
    const { code, output } = await runConformance();
    expect(output).toMatch(/Total: \d+ passed, \d+ failed/);
    expect(output).toMatch(/Baseline check passed/);
    expect(output).toMatch(/✓ tools-call-with-progress/);
    expect(output).toMatch(/✓ dns-rebinding-protection/);
    expect(code).toBe(0);
  }, 300_000);

  it("fails the run when a scenario outside the baseline fails", async () => {
    const { code, output } = await runConformance(["--scenario", "prompts-list", "--expected-failures", baseline([])]);
    expect(output).toMatch(/✗ prompts-list/);
    expect(code).not.toBe(0);
  }, 120_000);

  it("fails the run when a baseline entry starts passing", async () => {
    const { code, output } = await runConformance(["--scenario", "ping", "--expected-failures", baseline(["ping"])]);
    expect(output).toMatch(/Stale baseline|stale/i);
    expect(code).not.toBe(0);
  }, 120_000);
});
