import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { Exchange, type ExchangeOptions } from "../../../src/front/http/exchange.js";
import type { JsonRpcId, JsonRpcMessage } from "../../../src/jsonrpc/message.js";
import { shareResult } from "../../../src/jsonrpc/serialize.js";

const turn = () => new Promise((resolve) => setImmediate(resolve));

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/**
 * A real HTTP server whose one request is answered by an Exchange. Resolves
 * once the exchange exists; the client's response (paused) comes in `response`.
 */
async function exchangeOn(
  ids: JsonRpcId[],
  options: Partial<ExchangeOptions> = {},
): Promise<{ exchange: Exchange; res: ServerResponse; response: Promise<IncomingMessage>; hangUp: () => void }> {
  let created!: (value: { exchange: Exchange; res: ServerResponse }) => void;
  const ready = new Promise<{ exchange: Exchange; res: ServerResponse }>((resolve) => (created = resolve));
  const server = createServer((_req, res) => {
    const exchange = new Exchange(res, ids, { batch: false, acceptsSse: true, headers: {}, ...options });
    // Something must open an SSE response: a first notification switches it to SSE.
    if (options.acceptsSse !== false) void exchange.deliver({ jsonrpc: "2.0", method: "notifications/message", params: { opened: true } });
    created({ exchange, res });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const req = request({ host: "127.0.0.1", port, method: "POST", path: "/", agent: false });
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req.on("response", (res) => {
      res.pause();
      resolve(res);
    });
    req.on("error", reject);
  });
  req.end("{}");
  const { exchange, res } = await ready;
  return { exchange, res, response, hangUp: () => req.destroy() };
}

/** The SSE variant: the response has started, and is handed over paused. */
async function exchangeOnSocket(ids: JsonRpcId[], options: Partial<ExchangeOptions> = {}) {
  const opened = await exchangeOn(ids, options);
  return { ...opened, client: await opened.response };
}

const progress = (value: number): JsonRpcMessage => ({
  jsonrpc: "2.0",
  method: "notifications/progress",
  params: { progressToken: "t", progress: value, message: "x".repeat(1024) },
});

/** Read a paused SSE response to its end: the JSON-RPC messages it carried. */
function readAll(res: IncomingMessage): Promise<Array<{ id?: JsonRpcId; method?: string; params?: { progress?: number } }>> {
  let text = "";
  res.setEncoding("utf8");
  res.on("data", (chunk: string) => (text += chunk));
  res.resume();
  return new Promise((resolve) => {
    res.on("end", () =>
      resolve(
        text
          .split("\n\n")
          .filter((event) => event.includes("data: "))
          .map((event) => JSON.parse(event.slice(event.indexOf("data: ") + 6)) as { id?: JsonRpcId; method?: string }),
      ),
    );
  });
}

describe("Exchange, SSE answer to a client that does not read", () => {
  it("holds a bounded amount, keeps the newest progress, adds no listener per message, and still delivers the answer", async () => {
    const { exchange, res, client } = await exchangeOnSocket([1], { maxBufferedBytes: 256 * 1024 });
    const listeners = res.listenerCount("drain") + res.listenerCount("close") + res.listenerCount("error");
    const COUNT = 20_000; // 20 MB of progress: far more than the socket buffers take
    for (let i = 1; i <= COUNT; i++) {
      void exchange.deliver(progress(i), { coalesceKey: "progress:t" });
      if (i % 500 === 0) await turn();
    }
    await turn();
    expect(res.writableLength).toBeLessThan(256 * 1024 + 4096);
    expect(res.listenerCount("drain") + res.listenerCount("close") + res.listenerCount("error")).toBeLessThanOrEqual(listeners + 3);
    const answered = exchange.deliver({ jsonrpc: "2.0", id: 1, result: { done: true } });
    expect(answered).toBeInstanceOf(Promise);
    const messages = await readAll(client);
    await answered;
    const values = messages.filter((m) => m.method === "notifications/progress").map((m) => m.params!.progress!);
    expect(values.length).toBeLessThan(COUNT);
    expect(values.at(-1)).toBe(COUNT);
    expect(messages.at(-1)).toEqual({ jsonrpc: "2.0", id: 1, result: { done: true } });
  });

  it("never drops a message that is not advisory, however slow the reader", async () => {
    const { exchange, client } = await exchangeOnSocket([1], { maxBufferedBytes: 16 * 1024 });
    const waits: Array<Promise<void> | undefined> = [];
    for (let i = 1; i <= 2000; i++) waits.push(exchange.deliver({ jsonrpc: "2.0", method: "notifications/message", params: { i, pad: "y".repeat(1024) } }));
    waits.push(exchange.deliver({ jsonrpc: "2.0", id: 1, result: {} }));
    const messages = await readAll(client);
    await Promise.all(waits);
    expect(messages.filter((m) => m.method === "notifications/message").length).toBe(2001); // with the one that opened the stream
    expect(messages.at(-1)?.id).toBe(1);
  });

  it("lets go of the connection when the client hangs up: waits settle, nothing more is written to it, the stream waits for a resume", async () => {
    const { exchange, res, hangUp } = await exchangeOnSocket([1], { maxBufferedBytes: 16 * 1024 });
    const waits: Array<Promise<void> | undefined> = [];
    for (let i = 1; i <= 5000; i++) waits.push(exchange.deliver({ jsonrpc: "2.0", method: "notifications/message", params: { i, pad: "y".repeat(1024) } }));
    await turn();
    hangUp();
    await Promise.all(waits);
    await new Promise((resolve) => res.once("close", resolve).writableFinished || setTimeout(resolve, 100));
    // The client holds event ids: the stream (not the connection) lives on, for a resume.
    expect(exchange.done).toBe(false);
    await exchange.deliver(progress(1), { coalesceKey: "progress:t" });
    expect(res.listenerCount("drain")).toBe(0);
    exchange.end();
    expect(exchange.done).toBe(true);
    expect(exchange.deliver(progress(2), { coalesceKey: "progress:t" })).toBeUndefined();
  });
});

describe("Exchange, JSON answers that cannot be built whole", () => {
  it("replaces a batch's answers beyond maxBatchResponseBytes by -32603 errors with their ids", async () => {
    const { exchange, response } = await exchangeOn(["a", "b", "c"], { batch: true, acceptsSse: false, maxBatchResponseBytes: 200 });
    void exchange.deliver({ jsonrpc: "2.0", id: "a", result: { text: "x".repeat(100) } });
    void exchange.deliver({ jsonrpc: "2.0", id: "b", result: { text: "y".repeat(100) } });
    void exchange.deliver({ jsonrpc: "2.0", id: "c", result: { n: 3 } });
    const client = await response;
    let body = "";
    client.setEncoding("utf8");
    client.on("data", (chunk: string) => (body += chunk));
    client.resume();
    await new Promise((resolve) => client.on("end", resolve));
    const answers = JSON.parse(body) as Array<{ id: string; result?: unknown; error?: { code: number; message: string } }>;
    expect(answers.map((answer) => answer.id)).toEqual(["a", "b", "c"]);
    expect(answers[0]!.result).toEqual({ text: "x".repeat(100) });
    expect(answers[1]!.error?.code).toBe(-32603);
    expect(answers[1]!.error?.message).toMatch(/exceed 200 bytes; send this request separately/);
    expect(answers[2]!.result).toEqual({ n: 3 });
  });

  it("throws for an answer JSON cannot carry and keeps waiting for that id, so an error can take its place", async () => {
    const { exchange, response } = await exchangeOn([1], { acceptsSse: false });
    expect(() => exchange.deliver({ jsonrpc: "2.0", id: 1, result: { n: 1n } })).toThrow(TypeError);
    expect(exchange.pendingIds).toEqual([1]);
    void exchange.deliver({ jsonrpc: "2.0", id: 1, error: { code: -32603, message: "Internal error: the result could not be sent" } });
    const client = await response;
    let body = "";
    client.setEncoding("utf8");
    client.on("data", (chunk: string) => (body += chunk));
    client.resume();
    await new Promise((resolve) => client.on("end", resolve));
    expect(JSON.parse(body)).toMatchObject({ id: 1, error: { code: -32603 } });
  });
});

describe("Exchange, answers carrying a large shared result", () => {
  const catalog = () => shareResult({ tools: Array.from({ length: 3000 }, (_, i) => ({ name: `tool_${i}`, description: "ü".repeat(20) })) });

  async function body(response: Promise<IncomingMessage>): Promise<{ text: string; length: string | undefined }> {
    const client = await response;
    let text = "";
    client.setEncoding("utf8");
    client.on("data", (chunk: string) => (text += chunk));
    client.resume();
    await new Promise((resolve) => client.on("end", resolve));
    return { text, length: client.headers["content-length"] };
  }

  it("JSON: the body is the answer's exact text, with the pieces' total as Content-Length", async () => {
    const result = catalog();
    const { exchange, response } = await exchangeOn([1], { acceptsSse: false });
    void exchange.deliver({ jsonrpc: "2.0", id: 1, result });
    const { text, length } = await body(response);
    expect(text).toBe(JSON.stringify({ jsonrpc: "2.0", id: 1, result }));
    expect(Number(length)).toBe(Buffer.byteLength(text));
  });

  it("JSON batch: an array of the answers, shared bodies included", async () => {
    const result = catalog();
    const { exchange, response } = await exchangeOn([1, 2], { batch: true, acceptsSse: false });
    void exchange.deliver({ jsonrpc: "2.0", id: 2, result });
    void exchange.deliver({ jsonrpc: "2.0", id: 1, result: { small: true } });
    const { text, length } = await body(response);
    expect(JSON.parse(text)).toEqual([
      { jsonrpc: "2.0", id: 2, result },
      { jsonrpc: "2.0", id: 1, result: { small: true } },
    ]);
    expect(Number(length)).toBe(Buffer.byteLength(text));
  });

  it("SSE: the answer event carries the whole result", async () => {
    const result = catalog();
    const { exchange, client } = await exchangeOnSocket([1]);
    void exchange.deliver({ jsonrpc: "2.0", id: 1, result });
    const messages = await readAll(client);
    expect(messages.at(-1)).toEqual({ jsonrpc: "2.0", id: 1, result });
  });
});
