import { existsSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { CreateMessageRequestSchema, ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { MAIN } from "../helpers/paths.js";
import { startFixture, type RemoteServer } from "../helpers/remote.js";
import { connectStdio } from "../helpers/sdk.js";
import { writeConfig } from "../helpers/switchboard-process.js";

/**
 * Modern backends over Streamable HTTP (an SDK v2 server, modern only) and a
 * legacy HTTP backend (the v1 SDK's transport) behind the switchboard, used
 * by a legacy v1 client: the era probe is a modern request (server/discover
 * with the 2026-07-28 headers); a modern answer or error keeps the modern
 * era, anything else falls back to initialize.
 *
 * Needs the modern HTTP binding of the client transport (REMOTE's
 * transport/http-client-headers.ts); skipped on a build without it.
 */
const MODERN_HTTP = existsSync(MAIN.replace(/main\.js$/, "transport/http-client-headers.js"));

const running: Array<{ stop(): Promise<unknown> }> = [];
afterEach(async () => {
  for (const item of running.splice(0)) await item.stop().catch(() => undefined);
});

async function remote(name: string, args: string[] = []): Promise<RemoteServer> {
  const server = await startFixture(name, args);
  running.push(server);
  return server;
}

const textOf = (result: unknown): string => ((result as { content: Array<{ text: string }> }).content[0]?.text ?? "");

describe.skipIf(!MODERN_HTTP)("modern backends over Streamable HTTP, used by a legacy client", () => {
  it("an SDK v2 server (modern only) is detected as modern and served, MRTR included; a v1 SDK server stays legacy", async () => {
    const v2 = await remote("v2-http-backend");
    const v1 = await remote("sdk-http-backend");
    const lines: string[] = [];
    v2.child.stderr?.on("data", (chunk: Buffer) => lines.push(...chunk.toString().split("\n").filter(Boolean)));
    const config = { servers: { v2: { type: "http", url: v2.url }, v1: { type: "http", url: v1.url } } };
    const { client, stderr } = await connectStdio(writeConfig(config), {
      capabilities: { sampling: {}, elicitation: { form: {} } },
      setup: (c) => {
        c.setRequestHandler(ElicitRequestSchema, async () => ({ action: "accept", content: { name: "H" } }));
        c.setRequestHandler(CreateMessageRequestSchema, async () => ({ role: "assistant", content: { type: "text", text: "Paris" }, model: "m", stopReason: "endTurn" }));
      },
    });
    running.push({ stop: () => client.close() });
    await expect
      .poll(async () => (await client.listTools()).tools.map((tool) => tool.name), { timeout: 10_000 })
      .toEqual(expect.arrayContaining(["proxy.v2.add", "proxy.v2.ask", "proxy.v1.add"]));
    expect(stderr.some((line) => /backend "v2" ready: .*protocol 2026-07-28/.test(line))).toBe(true);
    expect(stderr.some((line) => /backend "v1" ready: .*protocol 2025-/.test(line))).toBe(true);

    expect(textOf(await client.callTool({ name: "proxy.v2.add", arguments: { a: 20, b: 22 } }))).toBe("42");
    expect(textOf(await client.callTool({ name: "proxy.v1.add", arguments: { a: 1, b: 2 } }))).toBe("3");
    expect(textOf(await client.callTool({ name: "proxy.v2.ask", arguments: {} }))).toBe("hello H, the model says Paris");
    // Every POST the v2 server got was a modern one (no initialize, no session).
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/^POST mcp-method=\S+ version=2026-07-28 session=-$/);
  }, 30_000);
});
