import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { silentLogger } from "../../src/log/logger.js";
import { Switchboard } from "../../src/switchboard.js";
import { connectStdio } from "../helpers/sdk.js";
import { fixture } from "../helpers/paths.js";
import { waitFor } from "../helpers/procfs.js";
import { startHttpSwitchboard, writeConfig } from "../helpers/switchboard-process.js";

// The slow backend answers nothing for SLOW_MS; everything that must not wait
// for it has to happen well before. (Bounds, not speed measurements: the old
// behaviour took SLOW_MS or more for each of them.)
const SLOW_MS = 8000;
const WITHIN_MS = 5000;

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

function servers(slowMs: number) {
  return {
    slow: { type: "stdio", command: process.execPath, args: [fixture("slow-start-backend"), "--delay-ms", String(slowMs)] },
    fast: { type: "stdio", command: process.execPath, args: [fixture("echo-backend")] },
  };
}

const names = (result: { tools: Array<{ name: string }> }): string[] => result.tools.map((tool) => tool.name);

/** Re-list on every list_changed, as clients do; `slow` turns true once a re-list shows the slow backend's tool. */
function toldAboutSlow(client: Client): { slow: boolean } {
  const told = { slow: false };
  client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
    if (names(await client.listTools()).includes("proxy.slow.echo")) told.slow = true;
  });
  return told;
}

const quickStop = { logger: silentLogger, stopLadder: { stdinGraceMs: 100, termGraceMs: 500 } };

describe("one slow backend stalls nobody", () => {
  it("initialize is answered at once even when proxy.startupWait is longer than a backend's start; the slow backend's tools follow", async () => {
    // startupWait longer than the slow start: a handshake that waited for the
    // catalog would take SLOW_MS; only tools/list may wait.
    const config = writeConfig({ proxy: { startupWait: SLOW_MS + 5000 }, servers: servers(SLOW_MS) });
    const t0 = Date.now();
    const sb = await startHttpSwitchboard(config);
    cleanups.push(() => sb.stop());
    const client = new Client({ name: "http-client", version: "1" });
    await client.connect(new StreamableHTTPClientTransport(new URL(sb.url)));
    cleanups.push(() => client.close());
    expect(Date.now() - t0).toBeLessThan(WITHIN_MS);
    // Tools, prompts and resources are advertised for the backend still starting (their lists fill later).
    expect(client.getServerCapabilities()).toMatchObject({ tools: { listChanged: true }, prompts: { listChanged: true }, resources: { listChanged: true } });
    expect(names(await client.listTools())).toContain("proxy.slow.echo");
  });

  it("HTTP and stdio fronts answer at once; tools/list waits startupWait at most; the slow backend's tools arrive with list_changed", async () => {
    const config = writeConfig({ proxy: { startupWait: 500 }, servers: servers(SLOW_MS) });

    const http = (async () => {
      const t0 = Date.now();
      const sb = await startHttpSwitchboard(config);
      cleanups.push(() => sb.stop());
      expect(Date.now() - t0).toBeLessThan(WITHIN_MS);
      const client = new Client({ name: "http-client", version: "1" });
      const told = toldAboutSlow(client);
      await client.connect(new StreamableHTTPClientTransport(new URL(sb.url)));
      cleanups.push(() => client.close());
      expect(Date.now() - t0).toBeLessThan(WITHIN_MS);
      const first = names(await client.listTools());
      expect(Date.now() - t0).toBeLessThan(WITHIN_MS);
      expect(first).toContain("proxy.fast.echo");
      expect(first).not.toContain("proxy.slow.echo");
      await waitFor(() => told.slow, SLOW_MS + 5000, "a list_changed after which the slow backend's tools are listed (HTTP)");
      expect((await client.callTool({ name: "proxy.slow.echo", arguments: { text: "late" } })).content).toEqual([{ type: "text", text: "late" }]);
    })();

    const stdio = (async () => {
      const t0 = Date.now();
      const { client } = await connectStdio(config);
      cleanups.push(() => client.close());
      expect(Date.now() - t0).toBeLessThan(WITHIN_MS);
      const told = toldAboutSlow(client);
      const first = names(await client.listTools());
      expect(Date.now() - t0).toBeLessThan(WITHIN_MS);
      expect(first).toContain("proxy.fast.echo");
      expect(first).not.toContain("proxy.slow.echo");
      await waitFor(() => told.slow, SLOW_MS + 5000, "a list_changed after which the slow backend's tools are listed (stdio)");
    })();

    await Promise.all([http, stdio]);
  });

  it("a call to a starting backend's tool waits for it within startupWait, else says it is starting", async () => {
    const board = new Switchboard({ proxy: { startupWait: 3000 }, servers: servers(300) }, quickStop);
    cleanups.push(() => board.close());
    await board.run({ transport: "stdio", input: new PassThrough(), output: new PassThrough() });
    expect(board.health().backends["slow"]!.state).toBe("starting");
    expect(await board.callProxiedTool("proxy.slow.echo", { text: "waited" })).toEqual({ content: [{ type: "text", text: "waited" }] });

    const impatient = new Switchboard({ proxy: { startupWait: 0 }, servers: servers(SLOW_MS) }, quickStop);
    cleanups.push(() => impatient.close());
    await impatient.run({ transport: "stdio", input: new PassThrough(), output: new PassThrough() });
    await expect(impatient.callProxiedTool("proxy.slow.echo", { text: "x" })).rejects.toThrow(/Unknown tool: "proxy\.slow\.echo"; backend "slow" is starting/);
    await expect(impatient.callProxiedTool("proxy.nobody.echo", {})).rejects.toThrow(/call tools\/list for the available names/);
  });

  it("start() still resolves only once every backend is ready or failed, for embedders who await readiness", async () => {
    const board = new Switchboard({ servers: servers(300) }, quickStop);
    cleanups.push(() => board.close());
    await board.start();
    expect(board.health().backends).toMatchObject({ slow: { state: "ready" }, fast: { state: "ready" } });
  });
});
