import { afterEach, describe, expect, it } from "vitest";
import { fixture } from "../helpers/paths.js";
import { jsonHeaders, openSession, rawRequest } from "../helpers/raw-http.js";
import { startHttpSwitchboard, writeConfig, type SwitchboardProcess } from "../helpers/switchboard-process.js";

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

describe("batches", () => {
  it("a batch is answered in work linear in its size: every id once, pings or a clear busy error", async () => {
    const sb: SwitchboardProcess = await startHttpSwitchboard(writeConfig({ servers: { echo: { command: process.execPath, args: [fixture("echo-backend")] } } }));
    cleanups.push(() => sb.stop());
    const session = await openSession(sb.url, "2025-03-26");
    const batch = async (n: number): Promise<number> => {
      const body = JSON.stringify(Array.from({ length: n }, (_, id) => ({ jsonrpc: "2.0", id, method: "ping" })));
      const started = performance.now();
      const res = await rawRequest(sb.url, { method: "POST", headers: jsonHeaders({ "Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-03-26" }), body });
      const elapsed = performance.now() - started;
      expect(res.status).toBe(200);
      const answers = JSON.parse(res.body) as Array<{ id: number; result?: unknown; error?: { message: string } }>;
      expect(new Set(answers.map((a) => a.id)).size).toBe(n);
      for (const answer of answers) {
        if (answer.error) expect(answer.error.message).toMatch(/Server busy/);
        else expect(answer.result).toEqual({});
      }
      return elapsed;
    };
    await batch(2_000); // warm up
    const small = Math.max(Math.min(await batch(4_000), await batch(4_000)), 1);
    const large = Math.min(await batch(64_000), await batch(64_000));
    // 16× the messages: linear work stays well under 25× the time; an id
    // search per message (the old duplicate check) made it ~100× or more.
    expect(large / small).toBeLessThan(25);
  });
});
