import { afterEach, describe, expect, it } from "vitest";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { fixture } from "../helpers/paths.js";
import { connectHttp, connectStdio } from "../helpers/sdk.js";
import { startHttpSwitchboard, writeConfig, type SwitchboardProcess } from "../helpers/switchboard-process.js";

/**
 * Modern backends (MCP 2026-07-28) behind the switchboard, used by a legacy
 * (v1 SDK) client over both fronts: our modern-only fixture and an SDK v2
 * server are detected by the era probe and served; their MRTR tools
 * (elicitation, then sampling) are answered by the legacy client's own
 * handlers; their list changes (heard on subscriptions/listen) reach the
 * client as list_changed; a legacy backend beside them is still legacy.
 */

const stdio = (name: string, args: string[] = []) => ({ type: "stdio", command: process.execPath, args: [fixture(name), ...args] });
const CONFIG = { servers: { modern: stdio("modern-backend"), v2: stdio("v2-backend"), echo: stdio("echo-backend") } };

const running: Array<{ stop(): Promise<unknown> }> = [];
afterEach(async () => {
  for (const item of running.splice(0)) await item.stop().catch(() => undefined);
});

async function http(config: unknown): Promise<SwitchboardProcess> {
  const sb = await startHttpSwitchboard(writeConfig(config));
  running.push(sb);
  return sb;
}

/** What a client's handlers saw. */
interface Seen {
  elicitation: string[];
  sampling: string[];
  toolsChanged: number;
  updated: string[];
  logs: string[];
}

const fresh = (): Seen => ({ elicitation: [], sampling: [], toolsChanged: 0, updated: [], logs: [] });

/** A legacy client answering elicitation with `name` and sampling with "Paris from NAME", recording what it gets. */
function legacyClient(name: string, seen: Seen, capabilities: Record<string, object> = { sampling: {}, elicitation: { form: {} } }) {
  return {
    name,
    capabilities,
    setup: (client: Client) => {
      if ("elicitation" in capabilities) {
        client.setRequestHandler(ElicitRequestSchema, async (request) => {
          seen.elicitation.push(request.params.message);
          return { action: "accept", content: { name } };
        });
      }
      if ("sampling" in capabilities) {
        client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
          const first = request.params.messages[0]?.content;
          seen.sampling.push(first && "text" in first ? String(first.text) : "?");
          return { role: "assistant", content: { type: "text", text: `Paris from ${name}` }, model: "test-model", stopReason: "endTurn" };
        });
      }
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => void seen.toolsChanged++);
      client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void seen.updated.push(n.params.uri));
      client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void seen.logs.push(`${n.params.level} ${String(n.params.data)}`));
    },
  };
}

const textOf = (result: unknown): string => ((result as { content: Array<{ text: string }> }).content[0]?.text ?? "");

/** Wait until the switchboard lists every tool of the three backends. */
async function toolsOf(client: Client): Promise<string[]> {
  let names: string[] = [];
  await expect
    .poll(async () => {
      names = (await client.listTools()).tools.map((tool) => tool.name);
      return names;
    }, { timeout: 10_000 })
    .toEqual(expect.arrayContaining(["proxy.modern.ask", "proxy.v2.ask", "proxy.echo.echo"]));
  return names;
}

/** Both modern backends' MRTR tools, answered by the client's handlers (an elicitation, then a sampling request). */
async function askBoth(client: Client, name: string, seen: Seen): Promise<void> {
  for (const server of ["modern", "v2"]) {
    const result = await client.callTool({ name: `proxy.${server}.ask`, arguments: {} });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toBe(`hello ${name}, the model says Paris from ${name}`);
  }
  expect(seen.elicitation).toEqual(["Your name?", "Your name?"]);
  expect(seen.sampling).toEqual(["Capital of France?", "Capital of France?"]);
}

describe("modern backends used by a legacy client", () => {
  it("over stdio: detected as modern, listed, called; MRTR answered by the client; list changes, resource updates and logs arrive", async () => {
    const seen = fresh();
    const { client, stderr } = await connectStdio(writeConfig(CONFIG), legacyClient("S", seen));
    running.push({ stop: () => client.close() });
    await toolsOf(client);
    expect(stderr.some((line) => /backend "modern" ready: .*protocol 2026-07-28/.test(line))).toBe(true);
    expect(stderr.some((line) => /backend "v2" ready: .*protocol 2026-07-28/.test(line))).toBe(true);
    expect(stderr.some((line) => /backend "echo" ready: .*protocol 2025-11-25/.test(line))).toBe(true);

    expect(textOf(await client.callTool({ name: "proxy.v2.add", arguments: { a: 2, b: 3 } }))).toBe("5");
    expect(textOf(await client.callTool({ name: "proxy.echo.echo", arguments: { text: "legacy" } }))).toBe("legacy");
    const meta = JSON.parse(textOf(await client.callTool({ name: "proxy.modern.meta", arguments: {} })));
    expect(meta["io.modelcontextprotocol/clientCapabilities"]).toEqual({ sampling: {}, elicitation: { form: {} } });

    await askBoth(client, "S", seen);

    // A list change heard on the modern backend's subscriptions/listen.
    const changedBefore = seen.toolsChanged;
    await client.callTool({ name: "proxy.modern.add_tool", arguments: { name: "late" } });
    await expect.poll(() => seen.toolsChanged, { timeout: 5000 }).toBeGreaterThan(changedBefore);
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain("proxy.modern.late");

    // resources/subscribe becomes the listen's resourceSubscriptions; the update reaches the subscriber.
    await client.subscribeResource({ uri: "switchboard://modern/demo://counter" });
    await client.callTool({ name: "proxy.modern.touch", arguments: { uri: "demo://counter" } });
    await expect.poll(() => seen.updated, { timeout: 5000 }).toEqual(["switchboard://modern/demo://counter"]);

    // logging/setLevel becomes the per-request logLevel.
    await client.setLoggingLevel("info");
    await client.callTool({ name: "proxy.modern.log", arguments: { level: "debug", text: "too low" } });
    await client.callTool({ name: "proxy.modern.log", arguments: { level: "warning", text: "heard" } });
    await expect.poll(() => seen.logs, { timeout: 5000 }).toEqual(["warning heard"]);

    const received = JSON.parse(textOf(await client.callTool({ name: "proxy.modern.received", arguments: {} }))) as string[];
    for (const removed of ["initialize", "ping", "logging/setLevel", "resources/subscribe"]) expect(received).not.toContain(removed);
  }, 30_000);

  it("over HTTP: two clients at once, each MRTR round answered by its own client's handlers", async () => {
    const sb = await http(CONFIG);
    const seenA = fresh();
    const seenB = fresh();
    const a = await connectHttp(sb.url, "A", legacyClient("A", seenA));
    const b = await connectHttp(sb.url, "B", legacyClient("B", seenB));
    running.push({ stop: () => a.close() }, { stop: () => b.close() });
    await toolsOf(a);
    await Promise.all([askBoth(a, "A", seenA), askBoth(b, "B", seenB)]);
    expect(sb.stderr.some((line) => /backend "modern" ready: .*protocol 2026-07-28/.test(line))).toBe(true);
  }, 30_000);

  it("a client without the capability an input request needs: the call fails, saying what was needed", async () => {
    const sb = await http(CONFIG);
    const seen = fresh();
    const client = await connectHttp(sb.url, "N", legacyClient("N", seen, { sampling: {} }));
    running.push({ stop: () => client.close() });
    await toolsOf(client);
    const failed = await client.callTool({ name: "proxy.modern.ask", arguments: {} }).then(
      () => undefined,
      (error: unknown) => error as { code: number; message: string },
    );
    expect(failed?.code).toBe(-32000);
    expect(failed?.message).toMatch(/tools\/call on backend "modern" needs input from the client \(elicitation\/create "name"\)/);
    expect(seen.sampling).toEqual([]);
  }, 30_000);
});
