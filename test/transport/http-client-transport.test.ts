import { Agent, createServer, type ClientRequestArgs } from "node:http";
import type { AddressInfo } from "node:net";
import type { Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { HttpClientTransport } from "../../src/transport/http-client-transport.js";
import type { RemoteEnd } from "../../src/transport/remote-end.js";

/**
 * An agent whose connections fail the way Node reports a pooled socket that
 * died under the request: the request is marked destroyed before its error
 * is emitted (Node's onSocketNT and socketCloseListener both do this).
 */
class FailingAgent extends Agent {
  override createConnection(_options: ClientRequestArgs, callback?: (error: Error | null, socket: Socket) => void): Socket {
    const error = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" });
    queueMicrotask(() => callback?.(error, undefined as unknown as Socket));
    return undefined as unknown as Socket;
  }
}

function transport(agent: Agent) {
  const ends: RemoteEnd[] = [];
  const t = new HttpClientTransport(
    { url: new URL("http://127.0.0.1:9/mcp"), headers: {}, agent },
    { label: 'backend "remote"', server: "remote", maxMessageBytes: 1 << 20, onEnd: (end) => ends.push(end), onWarning: () => undefined },
  );
  return { t, ends };
}

describe("HttpClientTransport", () => {
  it("a request whose connection fails is rejected naming the server, even when Node marked it destroyed first", async () => {
    const { t, ends } = transport(new FailingAgent());
    const sent = t.send({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "echo" } });
    const outcome = await Promise.race([sent.then(() => "resolved", (e: Error) => e.message), new Promise((r) => setTimeout(() => r("hung"), 2000))]);
    expect(outcome).toMatch(/backend "remote" is unreachable at http:\/\/127\.0\.0\.1:9\/mcp \(.*ECONNREFUSED/);
    expect(ends).toHaveLength(1);
  });

  it("a cancellation that cannot be delivered rejects its send, and nothing goes unhandled", async () => {
    const { t } = transport(new FailingAgent());
    const unhandled: unknown[] = [];
    const listener = (reason: unknown): void => void unhandled.push(reason);
    process.on("unhandledRejection", listener);
    try {
      await expect(t.send({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 1 } })).rejects.toMatchObject({ code: "CONNECTION_CLOSED", message: expect.stringMatching(/unreachable/) });
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      process.off("unhandledRejection", listener);
    }
    expect(unhandled).toEqual([]);
  });

  it("a request on a pooled connection the server had just closed is sent again once on a fresh one, and the connection lives on", async () => {
    // The server drops every connection at its second request without answering: what a server closing an idle keep-alive connection looks like to the request that reused it.
    const perSocket = new WeakMap<object, number>();
    let connections = 0;
    let requests = 0;
    const server = createServer((req, res) => {
      requests++;
      const count = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, count);
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        if (count === 2) return void req.socket.destroy();
        const { id } = JSON.parse(body) as { id: number };
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id, result: { n: id } }));
      });
    });
    server.on("connection", () => void connections++);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const agent = new Agent({ keepAlive: true });
    const ends: RemoteEnd[] = [];
    const t = new HttpClientTransport(
      { url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`), headers: {}, agent },
      { label: 'backend "remote"', server: "remote", maxMessageBytes: 1 << 20, onEnd: (end) => ends.push(end), onWarning: () => undefined },
    );
    const answers: unknown[] = [];
    t.onmessage = (message) => void answers.push(message);
    try {
      for (let id = 1; id <= 3; id++) {
        await t.send({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "echo" } });
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(answers).toEqual([1, 2, 3].map((id) => ({ jsonrpc: "2.0", id, result: { n: id } })));
      expect(ends).toEqual([]);
      // Calls 2 and 3 each met a dropped connection and were sent again on a new one.
      expect(requests).toBe(5);
      expect(connections).toBe(3);
    } finally {
      await t.close();
      agent.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
