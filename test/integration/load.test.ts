import { describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { fixture } from "../helpers/paths.js";
import { rss } from "../helpers/procfs.js";
import { startHttpSwitchboard, writeConfig } from "../helpers/switchboard-process.js";

const SESSIONS = 100;
const CALLS = 20;

describe("load: many concurrent SDK sessions through one set of backends", () => {
  it(`${SESSIONS} sessions × ${CALLS} calls: every call answered once, correctly, ids never cross`, async () => {
    const sb = await startHttpSwitchboard(
      writeConfig({ servers: { echo: { type: "stdio", command: process.execPath, args: [fixture("echo-backend")] } } }),
    );
    try {
      // Warm up, then take the baseline.
      const warm = new Client({ name: "warm", version: "1" });
      const warmTransport = new StreamableHTTPClientTransport(new URL(sb.url));
      await warm.connect(warmTransport);
      for (let i = 0; i < 50; i++) await warm.callTool({ name: "proxy.echo.echo", arguments: { text: `w${i}` } });
      await warmTransport.terminateSession();
      await warm.close();
      const rssStart = rss(sb.proc.pid!);

      const answers = new Map<string, number>();
      const errors: unknown[] = [];
      await Promise.all(
        Array.from({ length: SESSIONS }, async (_, s) => {
          const client = new Client({ name: `load-${s}`, version: "1" });
          const transport = new StreamableHTTPClientTransport(new URL(sb.url));
          await client.connect(transport);
          try {
            await Promise.all(
              Array.from({ length: CALLS }, async (_, c) => {
                const text = `s${s}-c${c}`;
                try {
                  const result = await client.callTool({ name: "proxy.echo.echo", arguments: { text } });
                  const got = (result.content as Array<{ text: string }>)[0]!.text;
                  answers.set(got, (answers.get(got) ?? 0) + 1);
                  if (got !== text) errors.push(new Error(`asked ${text}, got ${got}`));
                } catch (error) {
                  errors.push(error);
                }
              }),
            );
          } finally {
            // Cleanup, not the behaviour under test: on a loaded machine the
            // client may reuse a keep-alive socket the server is just closing
            // ("other side closed"); DELETE is idempotent, so once more.
            await transport.terminateSession().catch(() => transport.terminateSession());
            await client.close();
          }
        }),
      );
      expect(errors).toEqual([]);
      expect(answers.size).toBe(SESSIONS * CALLS);
      expect([...answers.values()].every((count) => count === 1)).toBe(true);

      // Sessions closed by the clients (DELETE) are gone, and once the switchboard
      // is quiet its idle collector returns memory: RSS comes back near its start.
      const health = JSON.parse(await (await fetch(sb.url.replace(/\/mcp$/, "/healthz"))).text()) as { sessions: number };
      expect(health.sessions).toBe(0);
      const limit = rssStart * 1.25;
      let rssEnd = rss(sb.proc.pid!);
      const deadline = Date.now() + 25_000;
      while (rssEnd > limit && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        rssEnd = rss(sb.proc.pid!);
      }
      expect(rssEnd).toBeLessThanOrEqual(limit);
    } finally {
      expect(await sb.stop()).toBe(0);
    }
  }, 120_000);
});
