import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { fixture } from "../helpers/paths.js";
import { writeConfig } from "../helpers/switchboard-process.js";
import { example, modernRequest, RawStdio } from "./modern-helpers.js";

let config: string;
const open: RawStdio[] = [];

beforeAll(() => {
  config = writeConfig({
    logLevel: "error",
    proxy: { namespace: "proxy", instructions: "Tools of the test backends, prefixed proxy.<server>." },
    servers: {
      echo: { type: "stdio", command: process.execPath, args: [fixture("echo-backend")] },
      conformance: { type: "stdio", command: process.execPath, args: [fixture("conformance-backend")] },
      asking: { type: "stdio", command: process.execPath, args: [fixture("asking-backend")] },
      mrtr: { type: "stdio", command: process.execPath, args: [fixture("mrtr-backend")] },
    },
  });
});

afterEach(async () => {
  for (const client of open.splice(0)) await client.close();
});

/** One switchboard for the tests that speak only the modern era on it (a legacy session on the same stdout would hear every log). */
let modernOnly: RawStdio | undefined;
afterAll(async () => {
  await modernOnly?.close();
});

function shared(): RawStdio {
  modernOnly ??= new RawStdio(config);
  return modernOnly;
}

function start(): RawStdio {
  const client = new RawStdio(config);
  open.push(client);
  return client;
}

describe("modern requests on the stdio front (raw, with the spec's example messages)", () => {
  it("server/discover (the spec's example request): versions of both eras, truthful capabilities, serverInfo, instructions, cache hint", async () => {
    const sb = shared();
    const answer = await sb.request(example("DiscoverRequest", "server-discover-request"));
    expect(answer["id"]).toBe("discover-1");
    const result = answer["result"] as Record<string, unknown>;
    expect(result["resultType"]).toBe("complete");
    expect(result["supportedVersions"]).toEqual(["2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"]);
    expect(result["capabilities"]).toMatchObject({ tools: { listChanged: true }, logging: {} });
    expect(result["capabilities"]).not.toHaveProperty("tasks");
    expect((result["_meta"] as Record<string, unknown>)["io.modelcontextprotocol/serverInfo"]).toMatchObject({ name: "mcp-switchboard" });
    expect(result["instructions"]).toBe("Tools of the test backends, prefixed proxy.<server>.");
    expect(result).toMatchObject({ ttlMs: 0, cacheScope: "public" });
  });

  it("an unknown version is -32022 with data.supported and data.requested; a missing clientCapabilities is -32602", async () => {
    const sb = shared();
    const request = example("ListToolsRequest", "list-tools-request");
    (request.params["_meta"] as Record<string, unknown>)["io.modelcontextprotocol/protocolVersion"] = "1900-01-01";
    const answer = await sb.request(request);
    expect(answer["error"]).toMatchObject({ code: -32022, data: { requested: "1900-01-01" } });
    expect((answer["error"] as { data: { supported: string[] } }).data.supported).toEqual(expect.arrayContaining(["2026-07-28", "2025-11-25"]));
    const bare = modernRequest("bare", "tools/list");
    delete (bare.params["_meta"] as Record<string, unknown>)["io.modelcontextprotocol/clientCapabilities"];
    expect((await sb.request(bare))["error"]).toMatchObject({ code: -32602 });
  });

  it("list and call results carry resultType; lists carry ttlMs/cacheScope; the legacy handshake works on the same connection", async () => {
    const sb = start();
    const listed = (await sb.request(example("ListToolsRequest", "list-tools-request")))["result"] as Record<string, unknown>;
    expect(listed).toMatchObject({ resultType: "complete", ttlMs: 0, cacheScope: "public" });
    expect((listed["tools"] as Array<{ name: string }>).map((t) => t.name)).toContain("proxy.echo.echo");
    const called = (await sb.request(modernRequest("c1", "tools/call", { name: "proxy.echo.echo", arguments: { text: "hi" } })))["result"];
    expect(called).toEqual({ resultType: "complete", content: [{ type: "text", text: "hi" }] });
    // The same process serves a legacy client at once.
    const init = await sb.request({ id: 9, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "legacy", version: "1" } } });
    expect((init["result"] as Record<string, unknown>)["protocolVersion"]).toBe("2025-11-25");
    sb.send({ jsonrpc: "2.0", method: "notifications/initialized" });
    const legacyList = (await sb.request({ id: 10, method: "tools/list" }))["result"] as Record<string, unknown>;
    expect(legacyList).not.toHaveProperty("resultType");
    expect(legacyList).not.toHaveProperty("ttlMs");
    expect((await sb.request({ id: 11, method: "ping" }))["result"]).toEqual({});
    // server/discover answers a legacy caller too (a dual-era client may probe from a session).
    const discovered = (await sb.request({ id: 13, method: "server/discover" }))["result"] as Record<string, unknown>;
    expect(discovered["supportedVersions"]).toContain("2025-11-25");
    // Resource not found: -32602 to a modern request (2026-07-28 reserves -32002), -32002 to the legacy session.
    const missing = await sb.request(modernRequest("r1", "resources/read", { uri: "switchboard://nowhere/x" }));
    expect(missing["error"]).toMatchObject({ code: -32602 });
    const legacyMissing = await sb.request({ id: 12, method: "resources/read", params: { uri: "switchboard://nowhere/x" } });
    expect(legacyMissing["error"]).toMatchObject({ code: -32002 });
  });

  it("reads carry the cache hint of the backend they came from; an MRTR retry's result is never to be cached", async () => {
    const sb = shared();
    const uri = "switchboard://conformance/test://static-text";
    const read = (await sb.request(modernRequest("read-1", "resources/read", { uri })))["result"] as Record<string, unknown>;
    expect(read).toMatchObject({ resultType: "complete", ttlMs: 0, cacheScope: "public", contents: [{ uri }] });
    // A state the switchboard did not mint is refused by the era bridge.
    const forged = await sb.request(modernRequest("read-2", "resources/read", { uri, requestState: "opaque", inputResponses: {} }));
    expect(forged["error"]).toMatchObject({ code: -32602 });
    // A real round: the legacy backend elicits while reading, the retry answers; the result must not be cached.
    const caps = { "io.modelcontextprotocol/clientCapabilities": { elicitation: { form: {} } } };
    const asking = { uri: "switchboard://mrtr/mrtr://asked" };
    const asked = (await sb.request(modernRequest("elicit-1", "resources/read", asking, caps)))["result"] as Record<string, unknown>;
    expect(asked).toMatchObject({ resultType: "input_required", requestState: expect.any(String) });
    const [key] = Object.keys(asked["inputRequests"] as Record<string, unknown>);
    const inputResponses = { [key!]: { action: "accept", content: { name: "ada" } } };
    const retry = { ...asking, requestState: asked["requestState"], inputResponses };
    const retried = (await sb.request(modernRequest("elicit-2", "resources/read", retry, caps)))["result"] as Record<string, unknown>;
    expect(retried).toMatchObject({ resultType: "complete", ttlMs: 0, cacheScope: "private" });
    expect(JSON.stringify(retried["contents"])).toContain("ada");
  });

  it("proxy.instructions reach legacy clients too (initialize)", async () => {
    const legacy = new RawStdio(config);
    try {
      const answer = await legacy.request({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "x", version: "1" } } });
      expect(answer["result"]).toMatchObject({ instructions: "Tools of the test backends, prefixed proxy.<server>." });
    } finally {
      await legacy.close();
    }
  });

  it("ping, logging/setLevel, resources/subscribe and initialize with modern _meta are -32601", async () => {
    const sb = shared();
    for (const [id, method, params] of [
      [1, "ping", {}],
      [2, "logging/setLevel", { level: "debug" }],
      [3, "resources/subscribe", { uri: "test://static-text" }],
      [4, "resources/unsubscribe", { uri: "test://static-text" }],
      [5, "initialize", { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "x", version: "1" } }],
    ] as const) {
      expect((await sb.request(modernRequest(`removed-${id}`, method, params)))["error"]).toMatchObject({ code: -32601 });
    }
  });

  it("logs: notifications/message only for a request that asked, at or above its level", async () => {
    const sb = shared();
    const call = (id: string, meta: Record<string, unknown>) => sb.request(modernRequest(id, "tools/call", { name: "proxy.conformance.test_tool_with_logging", arguments: {} }, meta));
    const countLogs = () => sb.received.filter((m) => m["method"] === "notifications/message").length;
    expect(countLogs()).toBe(0);
    await call("quiet", {});
    expect(countLogs()).toBe(0);
    await call("errors-only", { "io.modelcontextprotocol/logLevel": "error" });
    expect(countLogs()).toBe(0);
    await call("verbose", { "io.modelcontextprotocol/logLevel": "info" });
    expect(countLogs()).toBeGreaterThan(0);
    const bad = await call("bad-level", { "io.modelcontextprotocol/logLevel": "loud" });
    expect(bad["error"]).toMatchObject({ code: -32602 });
  });

  it("logs reach a request sent while its backend was still starting (the route is found when the logs come)", async () => {
    const sb = start();
    // Sent at once: the switchboard answers while its backends start, and this call waits for its backend.
    const answer = await sb.request(modernRequest("early", "tools/call", { name: "proxy.conformance.test_tool_with_logging", arguments: {} }, { "io.modelcontextprotocol/logLevel": "info" }));
    expect(answer["result"]).toMatchObject({ resultType: "complete" });
    expect(sb.received.filter((m) => m["method"] === "notifications/message").length).toBeGreaterThan(0);
  });

  it("a backend's request to a modern client is refused (CLIENT_NOT_REQUESTABLE), the call still answers", async () => {
    const sb = shared();
    const answer = await sb.request(modernRequest("ask", "tools/call", { name: "proxy.asking.ask", arguments: { method: "sampling/createMessage", params: { messages: [], maxTokens: 1 } } }, { "io.modelcontextprotocol/clientCapabilities": { sampling: {} } }));
    const text = JSON.stringify(answer["result"]);
    expect(text).toMatch(/CLIENT_NOT_REQUESTABLE|input_required/);
    // Nothing was ever written to the modern client as a request of ours.
    expect(sb.received.filter((m) => "method" in m && "id" in m)).toEqual([]);
  });
});
