import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MAIN, ROOT, fixture } from "../helpers/paths.js";
import { startHttpSwitchboard, writeConfig } from "../helpers/switchboard-process.js";

function run(args: string[], env: NodeJS.ProcessEnv = process.env) {
  return spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8", env, timeout: 20_000 });
}

describe("CLI", () => {
  it("--version prints package.json's version", () => {
    const version = (JSON.parse(readFileSync(`${ROOT}/package.json`, "utf8")) as { version: string }).version;
    const out = run(["--version"]);
    expect(out.status).toBe(0);
    expect(out.stdout.trim()).toBe(version);
  });

  it("--help prints usage on stdout", () => {
    const out = run(["--help"]);
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/Usage: mcp-switchboard \[config.json\]/);
    expect(out.stdout).toMatch(/--stdio/);
  });

  it("reports every config problem on its own line with its JSON path, exit code 2", () => {
    const file = writeConfig({
      proxy: { separator: "" },
      servers: { time: { type: "stdio", args: "oops" }, "bad.name": { command: "x" } },
      server: { port: 70000 },
    });
    const out = run([file]);
    expect(out.status).toBe(2);
    const lines = out.stderr.trim().split("\n");
    expect(lines).toContain(`${file}: servers.time.command: must be a non-empty string (the program to run)`);
    expect(lines).toContain(`${file}: servers.time.args: must be an array of strings`);
    expect(lines).toContain(`${file}: server.port: must be a whole number from 0 to 65535`);
    expect(lines.some((line) => line.startsWith(`${file}: proxy.separator:`))).toBe(true);
  });

  it("names the unset environment variable", () => {
    const file = writeConfig({ servers: { time: { command: "${SB_SURELY_UNSET_VAR}" } } });
    const env = { ...process.env };
    delete env["SB_SURELY_UNSET_VAR"];
    const out = run([file], env);
    expect(out.status).toBe(2);
    expect(out.stderr).toMatch(/servers\.time\.command: environment variable SB_SURELY_UNSET_VAR is not set/);
  });

  it("exit 2 for a missing file and for invalid JSON", () => {
    expect(run(["/no/such/config.json"]).stderr).toMatch(/cannot read \/no\/such\/config.json: no such file/);
    expect(run(["/no/such/config.json"]).status).toBe(2);
    const out = run([`${ROOT}/README.md`]);
    expect(out.status).toBe(2);
    expect(out.stderr).toMatch(/not valid JSON/);
  });

  it("exit 2 for bad flags", () => {
    expect(run(["--port", "abc"]).status).toBe(2);
    expect(run(["--bogus"]).status).toBe(2);
  });

  it("warns about unknown keys and still runs; accepts the mcpServers shape", async () => {
    const file = writeConfig({
      mcpServers: { echo: { command: process.execPath, args: [fixture("echo-backend")], colour: "blue" } },
    });
    const sb = await startHttpSwitchboard(file);
    try {
      await sb.waitForLog(/mcpServers\.echo\.colour: unknown key, ignored/);
      await sb.waitForLog(/backend "echo" ready/);
    } finally {
      expect(await sb.stop()).toBe(0);
    }
  });

  it("says the port is in use instead of crashing", async () => {
    const file = writeConfig({ servers: {} });
    const sb = await startHttpSwitchboard(file);
    try {
      const port = new URL(sb.url).port;
      const out = run([file, "--port", port]);
      expect(out.status).toBe(1);
      expect(out.stderr).toMatch(/port is already in use/);
    } finally {
      await sb.stop();
    }
  });
});
