import { Agent } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import type { JsonObject } from "../../src/jsonrpc/message.js";
import { JsonRpcPeer } from "../../src/jsonrpc/peer.js";
import { HttpClientTransport } from "../../src/transport/http-client-transport.js";
import { startFixture, type RemoteServer } from "../helpers/remote.js";

// The official SDK v2 server, modern only, validates every request metadata
// header itself: what it accepts, our modern binding got right.

const servers: RemoteServer[] = [];
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

const meta = (version = "2026-07-28"): JsonObject => ({
  "io.modelcontextprotocol/protocolVersion": version,
  "io.modelcontextprotocol/clientInfo": { name: "mcp-switchboard", version: "test" },
  "io.modelcontextprotocol/clientCapabilities": {},
});

async function connect(): Promise<{ peer: JsonRpcPeer; warnings: string[] }> {
  const server = await startFixture("remote-modern-backend");
  servers.push(server);
  const agent = new Agent({ keepAlive: true });
  const warnings: string[] = [];
  const transport = new HttpClientTransport({ url: new URL(server.url), headers: {}, agent }, { label: 'backend "modern"', server: "modern", maxMessageBytes: 1 << 20, onEnd: () => undefined, onWarning: (w) => void warnings.push(w) });
  const peer = new JsonRpcPeer(transport, { label: "modern" });
  await peer.start();
  closers.push(async () => {
    await transport.close();
    agent.destroy();
  });
  return { peer, warnings };
}

const text = (result: JsonObject) => (result["content"] as Array<{ text: string }>)[0]!.text;

describe("modern binding against the official SDK v2 server (modern only)", () => {
  it("server/discover, tools/list and calls with plain, Base64 and x-mcp-header values, resources/list and read", async () => {
    const { peer, warnings } = await connect();
    const discover = await peer.request("server/discover", { _meta: meta() });
    expect(discover["supportedVersions"]).toContain("2026-07-28");
    const tools = (await peer.request("tools/list", { _meta: meta() }))["tools"] as Array<{ name: string }>;
    expect(tools.map((t) => t.name).sort()).toEqual(["echo", "grüße", "route"]);
    expect(text(await peer.request("tools/call", { name: "echo", arguments: { text: "hi" }, _meta: meta() }))).toBe("echo: hi");
    expect(text(await peer.request("tools/call", { name: "grüße", arguments: {}, _meta: meta() }))).toBe("hallo");
    expect(text(await peer.request("tools/call", { name: "route", arguments: { region: "eu-west 1 ", text: "hi" }, _meta: meta() }))).toBe("hi via eu-west 1 ");
    expect(text(await peer.request("tools/call", { name: "route", arguments: { text: "hi" }, _meta: meta() }))).toBe("hi via nowhere");
    const listed = (await peer.request("resources/list", { _meta: meta() }))["resources"] as Array<{ uri: string }>;
    const read = await peer.request("resources/read", { uri: listed[0]!.uri, _meta: meta() });
    expect((read["contents"] as Array<{ text: string }>)[0]!.text).toBe("a note");
    expect(warnings).toEqual([]);
  });

  it("the era probe's answers: an unsupported version is -32022 with data.supported, an unknown method -32601", async () => {
    const { peer } = await connect();
    await expect(peer.request("server/discover", { _meta: meta("2099-01-01") })).rejects.toMatchObject({ code: -32022, data: { supported: expect.arrayContaining(["2026-07-28"]) } });
    await expect(peer.request("no/such/method", { _meta: meta() })).rejects.toMatchObject({ code: -32601 });
  });
});
