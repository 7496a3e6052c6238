import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Client as ModernClient, StreamableHTTPClientTransport as ModernHttpTransport } from "@modelcontextprotocol/client";
import { StdioClientTransport as ModernStdioTransport } from "@modelcontextprotocol/client/stdio";
import { connectHttp } from "../helpers/sdk.js";
import { fixture, MAIN } from "../helpers/paths.js";
import { startHttpSwitchboard, writeConfig, type SwitchboardProcess } from "../helpers/switchboard-process.js";

const PIN = { versionNegotiation: { mode: { pin: "2026-07-28" } } } as const;

let sb: SwitchboardProcess;
let config: string;
const cleanups: Array<() => Promise<unknown> | unknown> = [];

beforeAll(async () => {
  config = writeConfig({
    proxy: { namespace: "proxy" },
    servers: { echo: { type: "stdio", command: process.execPath, args: [fixture("echo-backend")] } },
  });
  sb = await startHttpSwitchboard(config);
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

afterAll(async () => {
  expect(await sb.stop()).toBe(0);
});

describe("modern era (2026-07-28) through the fronts, with the official v2 client", () => {
  it("HTTP: a pinned v2 client lists and calls proxied tools statelessly while a v1 client keeps its session", async () => {
    const seen: Array<{ method: string | null; session: string | null; status: number }> = [];
    const recording = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const response = await fetch(input, init);
      const headers = new Headers(init?.headers);
      seen.push({ method: headers.get("mcp-method"), session: response.headers.get("mcp-session-id") ?? headers.get("mcp-session-id"), status: response.status });
      return response;
    };
    const modern = new ModernClient({ name: "modern", version: "1" }, PIN);
    await modern.connect(new ModernHttpTransport(new URL(sb.url), { fetch: recording }));
    cleanups.push(() => modern.close());
    const legacy = await connectHttp(sb.url, "legacy");
    cleanups.push(() => legacy.close());

    const [modernTools, legacyTools] = await Promise.all([modern.listTools(), legacy.listTools()]);
    expect(modernTools.tools.map((t) => t.name)).toContain("proxy.echo.echo");
    expect(legacyTools.tools.map((t) => t.name)).toContain("proxy.echo.echo");
    const [a, b] = await Promise.all([
      modern.callTool({ name: "proxy.echo.echo", arguments: { text: "modern" } }),
      legacy.callTool({ name: "proxy.echo.echo", arguments: { text: "legacy" } }),
    ]);
    expect(a.content).toEqual([{ type: "text", text: "modern" }]);
    expect(b.content).toEqual([{ type: "text", text: "legacy" }]);
    expect(modern.getServerVersion()?.name).toBe("mcp-switchboard");
    expect(modern.getNegotiatedProtocolVersion()).toBe("2026-07-28");
    expect(seen.map((s) => s.method)).toEqual(expect.arrayContaining(["server/discover", "tools/list", "tools/call"]));
    expect(seen.every((s) => s.session === null && s.status === 200)).toBe(true);
  });

  it("stdio: a pinned v2 client spawning the switchboard lists and calls proxied tools", async () => {
    const transport = new ModernStdioTransport({ command: process.execPath, args: [MAIN, config, "--stdio"], stderr: "pipe" });
    const modern = new ModernClient({ name: "modern-stdio", version: "1" }, PIN);
    await modern.connect(transport);
    cleanups.push(() => modern.close());
    expect(modern.getNegotiatedProtocolVersion()).toBe("2026-07-28");
    const tools = await modern.listTools();
    expect(tools.tools.map((t) => t.name)).toContain("proxy.echo.echo");
    const result = await modern.callTool({ name: "proxy.echo.echo", arguments: { text: "over stdio" } });
    expect(result.content).toEqual([{ type: "text", text: "over stdio" }]);
  });

  it("the v2 client's listen(): acknowledged filter, tools list changes through both fronts, a graceful end on shutdown (stdio)", async () => {
    const heard = async (modern: ModernClient) => {
      let changes = 0;
      modern.setNotificationHandler("notifications/tools/list_changed", () => void changes++);
      const subscription = await modern.listen({ toolsListChanged: true });
      expect(subscription.honoredFilter).toMatchObject({ toolsListChanged: true });
      await modern.callTool({ name: "proxy.echo.add_tool", arguments: { name: `t${Date.now()}` } });
      const deadline = Date.now() + 5000;
      while (changes === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(changes).toBeGreaterThan(0);
      return subscription;
    };
    const overHttp = new ModernClient({ name: "listen-http", version: "1" }, PIN);
    await overHttp.connect(new ModernHttpTransport(new URL(sb.url)));
    cleanups.push(() => overHttp.close());
    const httpSubscription = await heard(overHttp);
    await httpSubscription.close();
    expect(await httpSubscription.closed).toBe("local");

    const transport = new ModernStdioTransport({ command: process.execPath, args: [MAIN, config, "--stdio"], stderr: "pipe" });
    const overStdio = new ModernClient({ name: "listen-stdio", version: "1" }, PIN);
    await overStdio.connect(transport);
    cleanups.push(() => overStdio.close());
    const stdioSubscription = await heard(overStdio);
    const pid = transport.pid;
    if (pid !== null && pid !== undefined) process.kill(pid, "SIGTERM");
    expect(await stdioSubscription.closed).toBe("graceful");
  });
});
