import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, type TestContext } from "vitest";
import { ROOT } from "../helpers/paths.js";

/** Run run-conformance.mjs; the runner (which stops its switchboard and suite on SIGTERM) is stopped when the test ends. */
function runConformance(ctx: TestContext, args: string[] = []): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [join(ROOT, "test/conformance/run-conformance.mjs"), ...args], { stdio: ["ignore", "pipe", "pipe"] });
    ctx.onTestFinished(() => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
    });
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
  // The two full runs spend most of their time in the scenarios' own pauses,
  // so they run side by side, each with its own switchboard.
  it.concurrent("0.1.16: every server scenario matches expected-failures.yml", async (ctx) => {
    const { code, output } = await runConformance(ctx);
    expect(output).toMatch(/Total: \d+ passed, \d+ failed/);
    expect(output).toMatch(/Baseline check passed/);
    expect(output).toMatch(/✓ tools-call-with-progress/);
    expect(output).toMatch(/✓ dns-rebinding-protection/);
    expect(code).toBe(0);
  }, 300_000);

  it.concurrent("0.2.0-alpha.12 (--requirements 2025-11-25): every server scenario matches expected-failures-next.yml", async (ctx) => {
    const { code, output } = await runConformance(ctx, ["--suite", "next"]);
    expect(output).toMatch(/Running requirements 2025-11-25/);
    expect(output).toMatch(/Total: \d+ passed, \d+ failed/);
    expect(output).toMatch(/Baseline check passed/);
    expect(output).toMatch(/Not-scored scenarios match the baseline too: server-session-lifecycle, json-schema-2020-12, server-sse-polling/);
    expect(output).toMatch(/✓ tools-call-with-progress/);
    expect(output).toMatch(/✓ server-session-lifecycle/);
    expect(code).toBe(0);
  }, 300_000);

  it.concurrent("0.2.0-alpha.12 (--requirements 2026-07-28, the modern era): every server scenario matches expected-failures-modern.yml", async (ctx) => {
    const { code, output } = await runConformance(ctx, ["--suite", "modern"]);
    expect(output).toMatch(/Running requirements 2026-07-28/);
    expect(output).toMatch(/Total: \d+ passed, \d+ failed/);
    expect(output).toMatch(/Baseline check passed/);
    expect(output).toMatch(/Not-scored scenarios match the baseline too: .*http-header-validation, http-custom-header-server-validation/);
    expect(output).toMatch(/✓ caching/);
    expect(output).toMatch(/✓ tools-call-with-progress/);
    expect(code).toBe(0);
  }, 300_000);

  it.concurrent("0.1.16 with the conformance backend served over Streamable HTTP: the same result as over stdio", async (ctx) => {
    const { code, output } = await runConformance(ctx, ["--backend-over-http"]);
    expect(output).toMatch(/Total: \d+ passed, 0 failed/);
    expect(output).toMatch(/Baseline check passed/);
    expect(output).toMatch(/✓ tools-call-sampling/);
    expect(code).toBe(0);
  }, 300_000);

  it("fails the run when a scenario outside the baseline fails (alpha, one scenario at the 2025-11-25 wire)", async (ctx) => {
    // Mounted with its prefix, the backend's tools are not where the suite
    // calls them, whatever the switchboard implements.
    const { code, output } = await runConformance(ctx, ["--suite", "next", "--mount-prefixed", "--scenario", "tools-call-simple-text", "--expected-failures", baseline([])]);
    expect(output).toMatch(/✗ tools-call-simple-text/);
    expect(code).not.toBe(0);
  }, 120_000);

  it("fails the run when a baseline entry starts passing", async (ctx) => {
    const { code, output } = await runConformance(ctx, ["--scenario", "ping", "--expected-failures", baseline(["ping"])]);
    expect(output).toMatch(/Stale baseline|stale/i);
    expect(code).not.toBe(0);
  }, 120_000);
});
