import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterEach, describe, expect, it } from "vitest";
import { Exchange } from "../../../src/front/http/exchange.js";
import { SSE_HEADERS } from "../../../src/front/http/sse.js";
import { SessionTransport } from "../../../src/front/http/session-transport.js";
import { isRequest, type JsonRpcId, type JsonRpcMessage } from "../../../src/jsonrpc/message.js";
import { rawRequest, type RawResponse } from "../../helpers/raw-http.js";

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/**
 * A real HTTP server in front of one SessionTransport, as the endpoint
 * wires it: each POST's requests get an Exchange, and arrive at `received`.
 */
async function sessionServer(
  maxBufferedBytes?: number,
): Promise<{ url: string; transport: SessionTransport; received: JsonRpcMessage[]; arrived: (count: number) => Promise<void>; streams: ServerResponse[] }> {
  const transport = new SessionTransport(maxBufferedBytes === undefined ? {} : { maxBufferedBytes });
  const streams: ServerResponse[] = [];
  const received: JsonRpcMessage[] = [];
  transport.onmessage = (message) => received.push(message);
  const server = createServer((req, res) => {
    if (req.method === "GET") {
      res.writeHead(200, SSE_HEADERS);
      res.flushHeaders();
      transport.openStream(res);
      streams.push(res);
      return;
    }
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      const parsed = JSON.parse(body) as JsonRpcMessage | JsonRpcMessage[];
      const messages = Array.isArray(parsed) ? parsed : [parsed];
      const ids: JsonRpcId[] = messages.filter(isRequest).map((message) => message.id);
      const exchange = new Exchange(res, ids, { batch: Array.isArray(parsed), acceptsSse: (req.headers.accept ?? "").includes("text/event-stream"), headers: {} });
      transport.attach(ids, exchange);
      for (const message of messages) transport.receive(message);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  const arrived = async (count: number): Promise<void> => {
    while (received.length < count) await new Promise((resolve) => setTimeout(resolve, 5));
  };
  return { url, transport, received, arrived, streams };
}

const call = (id: JsonRpcId) => ({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "slow" } });

function post(url: string, body: unknown, accept = "application/json, text/event-stream"): Promise<RawResponse> {
  return rawRequest(url, { method: "POST", headers: { "Content-Type": "application/json", Accept: accept }, body: JSON.stringify(body) });
}

describe("SessionTransport.abandon: a cancelled request ends its HTTP exchange", () => {
  it("JSON: a lone cancelled request is answered 202 Accepted with no body, and its id is free", async () => {
    const { url, transport, arrived } = await sessionServer();
    const answer = post(url, call(1), "application/json");
    await arrived(1);
    expect(transport.isAwaiting(1)).toBe(true);
    transport.abandon(1);
    expect(transport.isAwaiting(1)).toBe(false);
    const res = await answer;
    expect(res.status).toBe(202);
    expect(res.body).toBe("");
    // A late answer has nowhere to go and is not sent.
    await transport.send({ jsonrpc: "2.0", id: 1, result: {} });
  });

  it("JSON batch: the answers already in hand are sent, without the cancelled one", async () => {
    const { url, transport, arrived } = await sessionServer();
    const answer = post(url, [call("a"), call("b"), call("c")], "application/json");
    await arrived(3);
    await transport.send({ jsonrpc: "2.0", id: "a", result: { n: 1 } });
    transport.abandon("b");
    await transport.send({ jsonrpc: "2.0", id: "c", result: { n: 3 } });
    const res = await answer;
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual([
      { jsonrpc: "2.0", id: "a", result: { n: 1 } },
      { jsonrpc: "2.0", id: "c", result: { n: 3 } },
    ]);
  });

  it("SSE: the stream ends once nothing more is awaited; a request still awaited keeps it open", async () => {
    const { url, transport, arrived } = await sessionServer();
    const answer = post(url, [call(1), call(2)]);
    await arrived(2);
    await transport.send({ jsonrpc: "2.0", method: "notifications/progress", params: { progressToken: "t", progress: 1 } }, { relatedRequestId: 1 });
    transport.abandon(1);
    let ended = false;
    void answer.then(() => (ended = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ended).toBe(false);
    transport.abandon(2);
    const res = await answer;
    expect(res.headers["content-type"]).toBe("text/event-stream");
    expect(res.body).toContain('"progress":1');
    expect(res.body).not.toContain('"result"');
    expect(transport.isAwaiting(2)).toBe(false);
  });

  it("the official SDK client takes the 202 quietly: its send resolves, no error is reported", async () => {
    const { url, transport, arrived } = await sessionServer();
    const client = new StreamableHTTPClientTransport(new URL(url));
    const errors: unknown[] = [];
    const messages: unknown[] = [];
    client.onerror = (error) => errors.push(error);
    client.onmessage = (message) => messages.push(message);
    await client.start();
    const sent = client.send({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "slow" } });
    await arrived(1);
    transport.abandon(7);
    await expect(sent).resolves.toBeUndefined();
    expect(errors).toEqual([]);
    expect(messages).toEqual([]);
    await client.close();
  });
});

describe("SessionTransport GET stream, for a client that does not read it", () => {
  it("holds a bounded amount, keeps the newest advisory message per key, and adds no listener per message", async () => {
    const { url, transport, streams } = await sessionServer(128 * 1024);
    const target = new URL(url);
    const req = request({ host: target.hostname, port: target.port, path: target.pathname, method: "GET", headers: { Accept: "text/event-stream" }, agent: false });
    const client = await new Promise<IncomingMessage>((resolve) => {
      req.on("response", (res) => {
        res.pause();
        resolve(res);
      });
      req.end();
    });
    const stream = streams[0]!;
    const listeners = stream.listenerCount("drain") + stream.listenerCount("close") + stream.listenerCount("error");
    const waits: Array<Promise<void>> = [];
    for (let i = 1; i <= 20_000; i++) {
      const message: JsonRpcMessage = { jsonrpc: "2.0", method: "notifications/message", params: { level: "info", data: `${i} ${"x".repeat(1024)}` } };
      waits.push(transport.send(message, { advisory: { coalesceKey: "log" } }));
      if (i % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    // Advisory sends never wait on the stream: no promise per message is left pending.
    let settled = 0;
    for (const wait of waits) void wait.then(() => settled++);
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(waits.length);
    expect(stream.writableLength).toBeLessThan(128 * 1024 + 4096);
    expect(stream.listenerCount("drain") + stream.listenerCount("close") + stream.listenerCount("error")).toBeLessThanOrEqual(listeners + 3);
    // The reader catches up: it gets the newest one last.
    let text = "";
    client.setEncoding("utf8");
    client.on("data", (chunk: string) => (text += chunk));
    client.resume();
    // Until the reader has everything the stream held (a loaded machine may take a while).
    for (let waited = 0; (stream.writableLength > 0 || !text.endsWith("\n\n")) && waited < 10_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const last = text.trimEnd().split("\n\n").at(-1)!;
    expect(last).toContain('"data":"20000 ');
    expect(text.split("\n\n").length).toBeLessThan(20_000);
    req.destroy();
  });
});
