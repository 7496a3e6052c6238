import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { loadConfigFile } from "../../src/config/load-config.js";
import { MAIN, ROOT } from "../helpers/paths.js";
import { connectHttp } from "../helpers/sdk.js";
import { wrap } from "../helpers/switchboard-process.js";

describe("examples", () => {
  it("npm start's built-in config serves the time example over HTTP", async () => {
    const sb = wrap(spawn(process.execPath, [MAIN, "--port", "0"], { stdio: ["pipe", "pipe", "pipe"] }));
    try {
      const line = await sb.waitForLog(/listening on (http:\/\/\S+)/, 20_000);
      await sb.waitForLog(/using the built-in example .*basic-proxy\.json/);
      const client = await connectHttp(/listening on (http:\/\/\S+)/.exec(line)![1]!);
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(["proxy.time.get_current_time", "proxy.time.convert_time"]);
      const now = await client.callTool({ name: "proxy.time.get_current_time", arguments: { timezone: "UTC" } });
      const value = now.structuredContent as { timezone: string; datetime: string };
      expect(value.timezone).toBe("UTC");
      expect(Math.abs(Date.parse(value.datetime) - Date.now())).toBeLessThan(60_000);
      const converted = await client.callTool({ name: "proxy.time.convert_time", arguments: { source_timezone: "UTC", time: "12:00", target_timezone: "Asia/Tokyo" } });
      expect((converted.structuredContent as { target: { datetime: string } }).target.datetime).toMatch(/T21:00:00\+09:00$/);
      const bad = await client.callTool({ name: "proxy.time.get_current_time", arguments: { timezone: "Mars/Olympus" } });
      expect(bad.isError).toBe(true);
      await client.close();
    } finally {
      expect(await sb.stop()).toBe(0);
    }
  });

  it("local-tools.mjs serves local tools, a prompt, a resource and a template beside the proxied time server", async () => {
    const client = new Client({ name: "t", version: "1" });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [join(ROOT, "examples/local-tools.mjs"), "--stdio"], stderr: "ignore" }));
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(["hello", "proxy_status", "time_in", "proxy.time.get_current_time", "proxy.time.convert_time"]);
      expect((await client.callTool({ name: "hello", arguments: { name: "Ada" } })).content).toEqual([{ type: "text", text: "Hello, Ada!" }]);
      const status = await client.callTool({ name: "proxy_status", arguments: {} });
      expect(status.structuredContent).toMatchObject({ enabled: true, namespace: "proxy", servers: 1, tools: 2, localTools: 3 });
      const via = await client.callTool({ name: "time_in", arguments: { timezone: "UTC" } });
      expect((via.structuredContent as { timezone: string }).timezone).toBe("UTC");
      expect((await client.listPrompts()).prompts.map((p) => p.name)).toEqual(["plan_meeting"]);
      const plan = await client.getPrompt({ name: "plan_meeting", arguments: { zones: "UTC,Asia/Tokyo" } });
      expect(plan.messages[0]!.content).toMatchObject({ type: "text", text: expect.stringContaining("UTC,Asia/Tokyo") });
      const statusText = (await client.readResource({ uri: "status://proxy" })).contents[0] as { text: string };
      expect(JSON.parse(statusText.text)).toMatchObject({ servers: 1, tools: 2 });
      expect((await client.readResource({ uri: "greeting://Ada" })).contents).toEqual([{ uri: "greeting://Ada", mimeType: "text/plain", text: "Hello, Ada!" }]);
    } finally {
      await client.close();
    }
  });

  it("every example config is valid", async () => {
    for (const name of ["basic-proxy.json", "multiple-servers.json", "claude-desktop.json"]) {
      const { config, warnings } = await loadConfigFile(join(ROOT, "examples", name));
      expect(warnings).toEqual([]);
      expect(Object.keys(config.servers).length).toBeGreaterThan(0);
    }
  });
});
