import { Agent, type ClientRequestArgs } from "node:http";
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
});
