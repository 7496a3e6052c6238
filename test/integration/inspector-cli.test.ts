import { execFile } from "node:child_process";
import { dirname } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixture, nodeModule } from "../helpers/paths.js";
import { startHttpSwitchboard, writeConfig, type SwitchboardProcess } from "../helpers/switchboard-process.js";

const run = promisify(execFile);
const INSPECTOR = nodeModule("@modelcontextprotocol/inspector-cli/build/index.js");
// inspector-cli 1.0.3 looks for "../package.json" relative to the working
// folder (not to its own file); run it from its build folder so it finds it.
const INSPECTOR_CWD = dirname(INSPECTOR);
let sb: SwitchboardProcess;

beforeAll(async () => {
  sb = await startHttpSwitchboard(writeConfig({ servers: { echo: { type: "stdio", command: process.execPath, args: [fixture("echo-backend")] } } }));
});
afterAll(async () => {
  await sb.stop();
});

describe("MCP Inspector CLI as a second real client", () => {
  it("lists proxied tools over Streamable HTTP", async () => {
    const { stdout } = await run(process.execPath, [INSPECTOR, sb.url, "--transport", "http", "--method", "tools/list"], { timeout: 20_000, cwd: INSPECTOR_CWD });
    const names = (JSON.parse(stdout) as { tools: Array<{ name: string }> }).tools.map((tool) => tool.name);
    expect(names).toContain("proxy.echo.echo");
  });

  it("calls a proxied tool over Streamable HTTP", async () => {
    const { stdout } = await run(
      process.execPath,
      [INSPECTOR, sb.url, "--transport", "http", "--method", "tools/call", "--tool-name", "proxy.echo.echo", "--tool-arg", "text=inspected"],
      { timeout: 20_000, cwd: INSPECTOR_CWD },
    );
    expect(JSON.parse(stdout)).toMatchObject({ content: [{ type: "text", text: "inspected" }] });
  });
});
