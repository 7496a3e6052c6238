import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createAgent, readBody, sendRequest } from "../../src/transport/http-client.js";

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

async function recorder(host: string): Promise<{ port: number; seen: Array<{ url: string; headers: IncomingHttpHeaders; remotePort: number }> }> {
  const seen: Array<{ url: string; headers: IncomingHttpHeaders; remotePort: number }> = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? "", headers: req.headers, remotePort: req.socket.remotePort ?? 0 });
    req.resume();
    req.on("end", () => res.writeHead(200, { "content-type": "text/plain" }).end("ok"));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { port: (server.address() as AddressInfo).port, seen };
}

describe("sendRequest", () => {
  it("sends the path with its query, Basic auth from the URL's user info, static headers and the body", async () => {
    const server = await recorder("127.0.0.1");
    const url = new URL(`http://us%20er:p%40ss@127.0.0.1:${server.port}/mcp/x?api_key=k&b=2`);
    const agent = createAgent(url);
    const exchange = sendRequest({ url, headers: { "x-static": "1" }, agent }, "POST", url, { "content-type": "application/json" }, "{}");
    expect(await readBody(await exchange.response, 100)).toBe("ok");
    agent.destroy();
    expect(server.seen[0]!.url).toBe("/mcp/x?api_key=k&b=2");
    expect(server.seen[0]!.headers).toMatchObject({ authorization: `Basic ${Buffer.from("us er:p@ss").toString("base64")}`, "x-static": "1", "content-length": "2" });
  });

  it("reaches an IPv6 literal host", async () => {
    const server = await recorder("::1").catch(() => undefined);
    if (!server) return; // no IPv6 loopback on this machine
    const url = new URL(`http://[::1]:${server.port}/mcp`);
    const agent = createAgent(url);
    expect(await readBody(await sendRequest({ url, headers: {}, agent }, "GET", url, {}).response, 100)).toBe("ok");
    agent.destroy();
  });

  it("keeps every pooled socket between bursts: 32 concurrent requests twice use 32 connections, not more", async () => {
    const server = await recorder("127.0.0.1");
    const url = new URL(`http://127.0.0.1:${server.port}/mcp`);
    const agent = createAgent(url);
    for (let burst = 0; burst < 2; burst++) {
      const all = Array.from({ length: 32 }, () => sendRequest({ url, headers: {}, agent }, "POST", url, {}, "{}").response.then((r) => readBody(r, 100)));
      await Promise.all(all);
      await new Promise((r) => setImmediate(r));
    }
    agent.destroy();
    expect(new Set(server.seen.map((s) => s.remotePort)).size).toBeLessThanOrEqual(32);
  });
});
