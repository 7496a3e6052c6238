import { describe, expect, it } from "vitest";
import { ErrorCode, JsonRpcError } from "../../src/jsonrpc/errors.js";
import { SwitchboardError } from "../../src/jsonrpc/local-error.js";
import type { JsonRpcId, JsonRpcMessage } from "../../src/jsonrpc/message.js";
import { JsonRpcPeer, type PeerOptions } from "../../src/jsonrpc/peer.js";
import type { SendOptions, Transport } from "../../src/jsonrpc/transport.js";

/** One end of an in-memory transport pair; records what it sent. */
class MemoryTransport implements Transport {
  onmessage?: Transport["onmessage"];
  oninvalid?: Transport["oninvalid"];
  onerror?: Transport["onerror"];
  onclose?: Transport["onclose"];
  other?: MemoryTransport;
  sent: Array<{ message: JsonRpcMessage; options: SendOptions | undefined }> = [];
  closed = false;
  async start(): Promise<void> {}
  async send(message: JsonRpcMessage, options?: SendOptions): Promise<void> {
    this.sent.push({ message, options });
    const other = this.other;
    queueMicrotask(() => other?.onmessage?.(JSON.parse(JSON.stringify(message)) as JsonRpcMessage));
  }
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onclose?.();
    void this.other?.close();
  }
}

function pair(a: PeerOptions = {}, b: PeerOptions = {}) {
  const left = new MemoryTransport();
  const right = new MemoryTransport();
  left.other = right;
  right.other = left;
  return { client: new JsonRpcPeer(left, { label: "server", ...a }), server: new JsonRpcPeer(right, { label: "client", ...b }), left, right };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error,
  );
}

describe("JsonRpcPeer", () => {
  it("matches concurrent responses to their requests", async () => {
    const { client, server } = pair();
    server.setRequestHandler("double", async (request) => {
      await new Promise((resolve) => setTimeout(resolve, 10 - Number(request.params?.["n"])));
      return { n: Number(request.params?.["n"]) * 2 };
    });
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => client.request("double", { n })));
    expect(results).toEqual([{ n: 2 }, { n: 4 }, { n: 6 }, { n: 8 }, { n: 10 }]);
    expect(client.pendingCount).toBe(0);
  });

  it("answers with the handler's JsonRpcError, -32603 for other throws, -32601 for unknown methods", async () => {
    const { client, server } = pair();
    server.setRequestHandler("bad", () => {
      throw new JsonRpcError(ErrorCode.InvalidParams, "no such thing", { hint: 1 });
    });
    server.setRequestHandler("boom", () => {
      throw new Error("kaput");
    });
    expect(await rejection(client.request("bad"))).toMatchObject({ code: -32602, message: "no such thing", data: { hint: 1 } });
    expect(await rejection(client.request("boom"))).toMatchObject({ code: -32603, message: "Internal error: kaput" });
    expect(await rejection(client.request("nope"))).toMatchObject({ code: -32601, message: "Method not found: nope" });
  });

  it("times out, tells onAbandon, and drops the late answer with a warning", async () => {
    const abandoned: JsonRpcId[] = [];
    const warnings: string[] = [];
    const { client, server } = pair({ onAbandon: (id) => void abandoned.push(id), onWarning: (w) => void warnings.push(w) });
    server.setRequestHandler("slow", async () => {
      await new Promise((resolve) => setTimeout(resolve, 80));
      return {};
    });
    const error = (await rejection(client.request("slow", {}, { timeoutMs: 20 }))) as SwitchboardError;
    expect(error.code).toBe("REQUEST_TIMEOUT");
    expect(error.message).toMatch(/server did not answer slow within 20 ms/);
    expect(abandoned).toEqual([1]);
    expect(client.pendingCount).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(warnings.some((w) => /unknown or abandoned request id 1/.test(w))).toBe(true);
  });

  it("cancels with an AbortSignal", async () => {
    const abandoned: JsonRpcId[] = [];
    const { client, server } = pair({ onAbandon: (id) => void abandoned.push(id) });
    server.setRequestHandler("forever", () => new Promise(() => {}));
    const controller = new AbortController();
    const pending = client.request("forever", {}, { signal: controller.signal });
    controller.abort(new Error("user gave up"));
    const error = (await rejection(pending)) as SwitchboardError;
    expect(error.code).toBe("REQUEST_CANCELLED");
    expect(error.message).toMatch(/user gave up/);
    expect(abandoned).toEqual([1]);
  });

  it("rejects every pending request at once when the connection closes, and aborts handlers", async () => {
    const { client, server, left } = pair();
    const aborted: boolean[] = [];
    server.setRequestHandler("forever", (request) => {
      request.cancellation.onCancel(() => void aborted.push(true));
      return new Promise(() => {});
    });
    const pending = [1, 2, 3].map(() => rejection(client.request("forever")));
    await tick();
    await left.close();
    const errors = (await Promise.all(pending)) as SwitchboardError[];
    expect(errors.map((e) => e.code)).toEqual(["CONNECTION_CLOSED", "CONNECTION_CLOSED", "CONNECTION_CLOSED"]);
    expect(client.pendingCount).toBe(0);
    await tick();
    expect(aborted).toHaveLength(3);
    expect(await rejection(client.request("after"))).toMatchObject({ code: "CONNECTION_CLOSED" });
  });

  it("cancelIncoming aborts the handler and suppresses its response", async () => {
    const { client, server, right } = pair();
    let sawAbort = false;
    server.setRequestHandler("work", async (request) => {
      await new Promise<void>((resolve) => request.cancellation.onCancel(() => resolve()));
      sawAbort = request.signal.aborted;
      return { done: true };
    });
    void client.request("work", {}, { timeoutMs: 200 }).catch(() => undefined);
    await tick();
    expect(server.cancelIncoming(1, "client said stop")).toBe(true);
    await tick();
    expect(sawAbort).toBe(true);
    expect(right.sent.filter((s) => "id" in s.message)).toHaveLength(0);
  });

  it("gives a handler an AbortSignal, made before the cancellation, that fires on it", async () => {
    const { client, server } = pair();
    const seen: string[] = [];
    server.setRequestHandler("work", (request) => {
      const signal = request.signal;
      expect(request.signal).toBe(signal); // one signal per request
      signal.addEventListener("abort", () => seen.push(`aborted: ${(signal.reason as Error).message}`));
      return new Promise(() => {});
    });
    void client.request("work", {}, { timeoutMs: 200 }).catch(() => undefined);
    await tick();
    expect(server.cancelIncoming(1, "client said stop")).toBe(true);
    expect(seen).toEqual(["aborted: client said stop"]);
  });

  it("refuses a duplicate id while the first is in flight", async () => {
    const { server, right } = pair();
    server.setRequestHandler("wait", () => new Promise(() => {}));
    right.onmessage?.({ jsonrpc: "2.0", id: 7, method: "wait" });
    right.onmessage?.({ jsonrpc: "2.0", id: 7, method: "wait" });
    await tick();
    expect(right.sent.map((s) => s.message)).toEqual([
      expect.objectContaining({ id: 7, error: expect.objectContaining({ code: -32600, message: expect.stringMatching(/already in use/) }) }),
    ]);
  });

  it("answers invalid input only when told to", async () => {
    const answering = pair({}, { answerInvalid: true });
    answering.right.oninvalid?.(new JsonRpcError(-32700, "Parse error"), null);
    const quiet = pair();
    quiet.right.oninvalid?.(new JsonRpcError(-32700, "Parse error"), null);
    await tick();
    expect(answering.right.sent.map((s) => s.message)).toEqual([{ jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } }]);
    expect(quiet.right.sent).toHaveLength(0);
  });

  it("ties a handler's notifications to its request id", async () => {
    const { client, server, right } = pair();
    const progress: unknown[] = [];
    client.setNotificationHandler("progress", (params) => void progress.push(params));
    server.setRequestHandler("job", async (request) => {
      await request.notify("progress", { step: 1 });
      return {};
    });
    await client.request("job");
    expect(progress).toEqual([{ step: 1 }]);
    expect(right.sent[0]!.options).toEqual({ relatedRequestId: 1 });
  });

  it("queues requests beyond maxConcurrentIncoming and serves them in order", async () => {
    const { client, server } = pair({}, { maxConcurrentIncoming: 2 });
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    server.setRequestHandler("task", async (request) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      order.push(Number(request.params?.["n"]));
      running--;
      return {};
    });
    await Promise.all([1, 2, 3, 4, 5, 6].map((n) => client.request("task", { n })));
    expect(peak).toBe(2);
    expect(order).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
