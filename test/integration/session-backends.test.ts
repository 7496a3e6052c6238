import { afterEach, describe, expect, it } from "vitest";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { fixture } from "../helpers/paths.js";
import { alive, waitFor } from "../helpers/procfs.js";
import { connectHttp } from "../helpers/sdk.js";
import { startHttpSwitchboard, writeConfig, type SwitchboardProcess } from "../helpers/switchboard-process.js";

/** The processes of a session-isolated server: one per client session, bounded, stopped with the session or when idle. */

const running: Array<{ stop(): Promise<unknown> }> = [];
afterEach(async () => {
  for (const item of running.splice(0)) await item.stop().catch(() => undefined);
});

async function switchboard(proxy: Record<string, unknown> = {}): Promise<SwitchboardProcess> {
  const sb = await startHttpSwitchboard(
    writeConfig({ proxy, servers: { echo: { command: process.execPath, args: [fixture("echo-backend")], isolation: "session" } } }),
  );
  running.push(sb);
  return sb;
}

async function client(sb: SwitchboardProcess, name: string): Promise<Client> {
  const c = await connectHttp(sb.url, name);
  running.push({ stop: () => c.close() });
  return c;
}

async function pidOf(c: Client): Promise<number> {
  const result = await c.callTool({ name: "proxy.echo.pid", arguments: {} });
  const first = (result.content as Array<{ type: string; text?: string }>)[0];
  return Number(first?.text);
}

/** End the client's HTTP session (DELETE), as a client that is done does. */
async function endSession(c: Client): Promise<void> {
  await (c.transport as StreamableHTTPClientTransport).terminateSession();
}

describe('isolation "session"', () => {
  it("gives each client session its own process, kept across its calls and stopped when its session ends", async () => {
    const sb = await switchboard();
    const a = await client(sb, "A");
    const b = await client(sb, "B");
    const pidA = await pidOf(a);
    const pidB = await pidOf(b);
    expect(pidA).not.toBe(pidB);
    expect(await pidOf(a)).toBe(pidA);
    expect(alive(pidA) && alive(pidB)).toBe(true);
    await endSession(a);
    await waitFor(() => !alive(pidA), 10_000, "A's process to stop with its session");
    expect(alive(pidB)).toBe(true);
    expect(await pidOf(b)).toBe(pidB);
  }, 30_000);

  it("refuses a process beyond proxy.maxSessionBackends with a clear error, and starts one once a session ended", async () => {
    const sb = await switchboard({ maxSessionBackends: 1 });
    const a = await client(sb, "A");
    const b = await client(sb, "B");
    const pidA = await pidOf(a);
    const refused = await b.callTool({ name: "proxy.echo.pid", arguments: {} }).catch((error: unknown) => error);
    expect(String(refused)).toMatch(/backend "echo" was not started for this session: 1 per-session backend processes already run \(proxy\.maxSessionBackends is 1\); end idle sessions or raise the limit/);
    await endSession(a);
    await waitFor(() => !alive(pidA), 10_000, "A's process to stop with its session");
    expect(alive(await pidOf(b))).toBe(true);
  }, 30_000);

  it("stops a process unused for proxy.sessionBackendIdleTimeout; the session's next call starts another", async () => {
    const sb = await switchboard({ sessionBackendIdleTimeout: 1000 });
    const a = await client(sb, "A");
    const first = await pidOf(a);
    await waitFor(() => !alive(first), 10_000, "the idle process to be stopped");
    await sb.waitForLog(/backend "echo": the process of session \S+ was unused for 1000 ms; stopped/);
    const second = await pidOf(a);
    expect(second).not.toBe(first);
    expect(alive(second)).toBe(true);
  }, 30_000);
});
