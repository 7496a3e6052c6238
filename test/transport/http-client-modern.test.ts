import { Agent, createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { JsonRpcError } from "../../src/jsonrpc/errors.js";
import type { JsonRpcMessage } from "../../src/jsonrpc/message.js";
import { JsonRpcPeer } from "../../src/jsonrpc/peer.js";
import { HttpClientTransport } from "../../src/transport/http-client-transport.js";

const META = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientInfo": { name: "switchboard-test", version: "1" },
  "io.modelcontextprotocol/clientCapabilities": {},
};

interface Seen {
  method: string;
  headers: IncomingHttpHeaders;
  body: { id?: number; method?: string } | undefined;
}

type Answer = (seen: Seen, res: ServerResponse, req: IncomingMessage) => void;

const servers: Server[] = [];
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

/** A raw node:http server that records every request and answers with `answer`. */
async function rawServer(answer: Answer): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (chunk: Buffer) => (text += chunk.toString()));
    req.on("end", () => {
      const entry: Seen = { method: req.method ?? "", headers: req.headers, body: text ? (JSON.parse(text) as Seen["body"]) : undefined };
      seen.push(entry);
      answer(entry, res, req);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`, seen };
}

function json(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(value));
}

/** Answers like a stateful legacy server for initialize, and echoes every other request's method. */
const legacyAndEcho: Answer = (seen, res) => {
  if (seen.method === "GET") return void res.writeHead(405).end();
  if (seen.method === "DELETE") return void res.writeHead(200).end();
  const body = seen.body!;
  if (body.id === undefined) return void res.writeHead(202).end();
  if (body.method === "initialize") return json(res, 200, { jsonrpc: "2.0", id: body.id, result: { protocolVersion: "2025-11-25", capabilities: {}, serverInfo: { name: "raw", version: "1" } } }, { "mcp-session-id": "legacy-session" });
  json(res, 200, { jsonrpc: "2.0", id: body.id, result: { method: body.method, resultType: "complete" } }, { "mcp-session-id": "minted-for-a-modern-request" });
};

function transport(url: string): { t: HttpClientTransport; received: JsonRpcMessage[]; next: () => Promise<JsonRpcMessage> } {
  const agent = new Agent({ keepAlive: true });
  const t = new HttpClientTransport({ url: new URL(url), headers: { "x-static": "kept" }, agent }, { label: 'backend "raw"', server: "raw", maxMessageBytes: 1 << 20, onEnd: () => undefined, onWarning: () => undefined });
  const received: JsonRpcMessage[] = [];
  const waiters: Array<(m: JsonRpcMessage) => void> = [];
  t.onmessage = (message) => {
    const waiter = waiters.shift();
    if (waiter) waiter(message);
    else received.push(message);
  };
  cleanups.push(async () => {
    await t.close();
    agent.destroy();
  });
  const next = (): Promise<JsonRpcMessage> => {
    const queued = received.shift();
    return queued ? Promise.resolve(queued) : new Promise((resolve) => waiters.push(resolve));
  };
  return { t, received, next };
}

describe("HttpClientTransport: the modern (2026-07-28) binding", () => {
  it("a request with modern _meta carries MCP-Protocol-Version, Mcp-Method and Mcp-Name, and no session id even beside a legacy session", async () => {
    const server = await rawServer(legacyAndEcho);
    const { t, next } = transport(server.url);
    await t.send({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } } });
    await next();
    await t.send({ jsonrpc: "2.0", method: "notifications/initialized" });
    await t.send({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "get_weather", arguments: { location: "Seattle" }, _meta: META } });
    expect(await next()).toMatchObject({ id: 2, result: { method: "tools/call" } });
    await t.send({ jsonrpc: "2.0", id: 3, method: "resources/read", params: { uri: "file:///Grüße.txt", _meta: META } });
    await next();
    await t.send({ jsonrpc: "2.0", id: 4, method: "prompts/get", params: { name: "=?base64?x?=", _meta: META } });
    await next();
    await t.send({ jsonrpc: "2.0", id: 5, method: "tools/list", params: { _meta: META } });
    await next();
    // A legacy request after the modern ones still belongs to the legacy session (not to a session a modern answer named).
    await t.send({ jsonrpc: "2.0", id: 6, method: "tools/list" });
    await next();

    const posts = server.seen.filter((s) => s.method === "POST");
    const call = posts.find((s) => s.body?.id === 2)!.headers;
    expect(call).toMatchObject({ "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "get_weather", "x-static": "kept", accept: "application/json, text/event-stream", "content-type": "application/json" });
    expect(call["mcp-session-id"]).toBeUndefined();
    const read = posts.find((s) => s.body?.id === 3)!.headers;
    expect(read["mcp-name"]).toBe(`=?base64?${Buffer.from("file:///Grüße.txt").toString("base64")}?=`);
    expect(posts.find((s) => s.body?.id === 4)!.headers["mcp-name"]).toBe(`=?base64?${Buffer.from("=?base64?x?=").toString("base64")}?=`);
    const list = posts.find((s) => s.body?.id === 5)!.headers;
    expect(list).toMatchObject({ "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/list" });
    expect(list["mcp-name"]).toBeUndefined();
    expect(list["mcp-session-id"]).toBeUndefined();
    expect(posts.find((s) => s.body?.id === 6)!.headers).toMatchObject({ "mcp-session-id": "legacy-session", "mcp-protocol-version": "2025-11-25" });
    expect(posts.find((s) => s.body?.id === 6)!.headers["mcp-method"]).toBeUndefined();
  });

  it("modern requests alone open no GET stream and leave no session to DELETE", async () => {
    const server = await rawServer(legacyAndEcho);
    const { t, next } = transport(server.url);
    await t.send({ jsonrpc: "2.0", id: 1, method: "server/discover", params: { _meta: META } });
    await next();
    expect(t.status()).toMatchObject({ session: "none", stream: false });
    await t.close();
    expect(server.seen.map((s) => s.method)).toEqual(["POST"]);
  });

  it("400 / 404 answers with a JSON-RPC error body reach the caller as that error (an era probe sees -32022 and -32601)", async () => {
    const unsupported = { code: -32022, message: "Unsupported protocol version", data: { supported: ["2026-09-01"], requested: "2026-07-28" } };
    const server = await rawServer((seen, res) => {
      const body = seen.body!;
      if (body.method === "server/discover") return json(res, 400, { jsonrpc: "2.0", id: body.id, error: unsupported });
      if (body.method === "tools/call") return json(res, 400, { jsonrpc: "2.0", id: null, error: { code: -32020, message: "Header mismatch" } });
      json(res, 404, { jsonrpc: "2.0", id: body.id, error: { code: -32601, message: "Method not found" } });
    });
    const { t } = transport(server.url);
    const peer = new JsonRpcPeer(t, { label: "raw" });
    await peer.start();
    const discover = await peer.request("server/discover", { _meta: META }).catch((e: unknown) => e);
    expect(discover).toBeInstanceOf(JsonRpcError);
    expect(discover).toMatchObject({ code: -32022, data: unsupported.data });
    await expect(peer.request("tools/call", { name: "x", _meta: META })).rejects.toMatchObject({ code: -32020, message: "Header mismatch" });
    await expect(peer.request("nope/nothing", { _meta: META })).rejects.toMatchObject({ code: -32601 });
    expect(t.status().lastError).toMatch(/HTTP 404 and error -32601/);
  });

  it("a 4xx without a JSON-RPC error body (a legacy server) fails the call with -32000 naming the status, for the probe to fall back", async () => {
    const server = await rawServer((_seen, res) => res.writeHead(400, { "content-type": "text/plain" }).end("Bad Request: no session"));
    const { t } = transport(server.url);
    const peer = new JsonRpcPeer(t, { label: "raw" });
    await peer.start();
    await expect(peer.request("server/discover", { _meta: META })).rejects.toMatchObject({ code: -32000, data: { server: "raw", reason: "HTTP_STATUS", status: 400 } });
  });

  it("tools/call carries Mcp-Param-* for the x-mcp-header parameters its listing declared; tools with invalid annotations are left out of the listing", async () => {
    const tools = [
      { name: "execute_sql", inputSchema: { type: "object", properties: { region: { type: "string", "x-mcp-header": "Region" }, query: { type: "string" } } } },
      { name: "broken", inputSchema: { type: "object", properties: { list: { type: "array", items: { type: "string", "x-mcp-header": "Item" } } } } },
    ];
    const server = await rawServer((seen, res) => {
      const body = seen.body!;
      json(res, 200, { jsonrpc: "2.0", id: body.id, result: body.method === "tools/list" ? { tools, resultType: "complete" } : { content: [], resultType: "complete" } });
    });
    const warnings: string[] = [];
    const agent = new Agent({ keepAlive: true });
    const t = new HttpClientTransport({ url: new URL(server.url), headers: {}, agent }, { label: 'backend "raw"', server: "raw", maxMessageBytes: 1 << 20, onEnd: () => undefined, onWarning: (w) => void warnings.push(w) });
    cleanups.push(async () => (await t.close(), agent.destroy()));
    const peer = new JsonRpcPeer(t, { label: "raw" });
    await peer.start();
    const listed = await peer.request("tools/list", { _meta: META });
    expect((listed["tools"] as Array<{ name: string }>).map((tool) => tool.name)).toEqual(["execute_sql"]);
    expect(warnings).toEqual([expect.stringMatching(/^backend "raw" lists tool "broken" with an invalid x-mcp-header annotation \(x-mcp-header "Item" at \/properties\/list\/items is not on a property reached from the schema root through "properties" alone\); the tool is left out$/)]);
    await peer.request("tools/call", { name: "execute_sql", arguments: { region: "Hello, 世界", query: "SELECT 1" }, _meta: META });
    await peer.request("tools/call", { name: "execute_sql", arguments: { query: "SELECT 1" }, _meta: META });
    const calls = server.seen.filter((s) => s.body?.method === "tools/call").map((s) => s.headers);
    expect(calls[0]).toMatchObject({ "mcp-name": "execute_sql", "mcp-param-region": "=?base64?SGVsbG8sIOS4lueVjA==?=" });
    expect(calls[1]!["mcp-param-region"]).toBeUndefined();
  });

  it("cancelling a modern request closes its stream; no notifications/cancelled is posted", async () => {
    let closed!: () => void;
    const streamClosed = new Promise<void>((resolve) => (closed = resolve));
    const server = await rawServer((_seen, res, req) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(": open\n\n");
      req.socket.once("close", closed);
    });
    const { t } = transport(server.url);
    await t.send({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "slow", _meta: META } });
    await t.send({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 7 } });
    await streamClosed;
    // Nor when the cancellation itself carries modern _meta, or names no request of ours.
    await t.send({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 99, _meta: META } });
    expect(server.seen.map((s) => s.body?.method)).toEqual(["tools/call"]);
  });
});
