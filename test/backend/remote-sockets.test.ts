import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { RemoteTarget } from "../../src/backend/remote-connection.js";
import { HttpClientTransport } from "../../src/transport/http-client-transport.js";
import type { JsonRpcMessage } from "../../src/jsonrpc/message.js";
import { recordingLogger } from "../helpers/backend.js";
import { httpServer } from "../helpers/remote.js";

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** An echo server that answers each POST after `delayMs` and counts the TCP connections it was given. */
async function slowEcho(delayMs: number): Promise<{ url: string; connections: () => number }> {
  let connections = 0;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const message = JSON.parse(body) as { id: number };
      setTimeout(() => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id: message.id, result: {} })), delayMs);
    });
  });
  server.on("connection", (socket) => {
    connections++;
    socket.unref();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`, connections: () => connections };
}

async function callConcurrently(url: string, maxSockets: number | undefined, count: number): Promise<void> {
  const config = httpServer(url, maxSockets === undefined ? {} : { maxSockets });
  const target = new RemoteTarget(config, { name: "pool", logger: recordingLogger(), maxMessageBytes: 1 << 20 });
  const endpoint = target.endpoint();
  const answers: JsonRpcMessage[] = [];
  const transport = new HttpClientTransport(endpoint, target.transportOptions(() => undefined));
  const all = new Promise<void>((resolve) => {
    transport.onmessage = (message) => {
      answers.push(message);
      if (answers.length === count) resolve();
    };
  });
  // Sent at once: each send settles only when its answer's head arrives.
  const sent = Array.from({ length: count }, (_, i) => transport.send({ jsonrpc: "2.0", id: i + 1, method: "tools/call", params: { name: "echo" } }));
  await Promise.all(sent);
  await all;
  await transport.close();
  endpoint.agent.destroy();
}

describe("sockets per remote server", () => {
  it("servers.NAME.maxSockets bounds the connections one server is given", async () => {
    const server = await slowEcho(100);
    await callConcurrently(server.url, 2, 6);
    expect(server.connections()).toBe(2);
  });

  it("without it, concurrent calls get up to the default of 32 connections", async () => {
    const server = await slowEcho(100);
    await callConcurrently(server.url, undefined, 6);
    expect(server.connections()).toBe(6);
  });
});
