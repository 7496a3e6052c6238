import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/paths.js";

describe("the conformance fixture alone (no switchboard)", () => {
  it("passes every server scenario of both suites, warnings included", async ({ onTestFinished }) => {
    const proc = spawn(process.execPath, [join(ROOT, "test/conformance/run-direct.mjs")], { stdio: ["ignore", "pipe", "pipe"] });
    // The runner stops its fixtures and suites on SIGTERM.
    onTestFinished(() => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
    });
    let output = "";
    proc.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    proc.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    const code = await new Promise<number | null>((resolve) => proc.once("exit", resolve));
    expect(output).toMatch(/^direct 0\.1\.16: Total: \d+ passed, 0 failed \(/m);
    expect(output).toMatch(/^direct next: Total: \d+ passed, 0 failed \(/m);
    // The scenarios only the fixture can show today, beyond the switchboard's baselines.
    for (const scenario of ["prompts-get-with-args", "resources-templates-read", "tools-call-sampling", "elicitation-sep1330-enums", "server-sse-polling"]) {
      expect(output).toMatch(new RegExp(`\\[0\\.1\\.16\\] ✓ ${scenario}:`));
      expect(output).toMatch(new RegExp(`\\[next\\] ✓ ${scenario}:`));
    }
    expect(code).toBe(0);
  }, 300_000);
});
