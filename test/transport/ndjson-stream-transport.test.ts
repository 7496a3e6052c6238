import { spawn, type ChildProcess } from "node:child_process";
import type { Readable, Writable as WritableStream } from "node:stream";
import { PassThrough, Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { hasCode } from "../../src/jsonrpc/local-error.js";
import { serializeMessage, shareResult, SplicedText } from "../../src/jsonrpc/serialize.js";
import { NdjsonStreamTransport } from "../../src/transport/ndjson-stream-transport.js";

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
});

/** A real child process that never reads its stdin. */
function deafChild(): { stdin: WritableStream; stdout: Readable } {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 60000)"], { stdio: ["pipe", "pipe", "ignore"] });
  child.stdin.on("error", () => undefined);
  children.push(child);
  return child;
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

/** A writable that accepts one chunk and then never has room again. */
function stuckOutput(): Writable {
  return new Writable({ highWaterMark: 1, write: () => undefined });
}

describe("NdjsonStreamTransport.send", () => {
  it("rejects, never throws, for a message JSON cannot carry; the next one still goes", async () => {
    const output = new PassThrough();
    const transport = new NdjsonStreamTransport(new PassThrough(), output);
    await transport.start();
    let sent: Promise<void> | undefined;
    expect(() => {
      sent = transport.send({ jsonrpc: "2.0", id: 1, result: { n: 1n } });
    }).not.toThrow();
    await expect(sent).rejects.toThrow(TypeError);
    await transport.send({ jsonrpc: "2.0", id: 2, result: {} });
    await turn();
    expect(String(output.read())).toBe('{"jsonrpc":"2.0","id":2,"result":{}}\n');
  });

  it("makes senders wait while the output is full, and lets them go when it closes instead of draining", async () => {
    const output = stuckOutput();
    const transport = new NdjsonStreamTransport(new PassThrough(), output);
    await transport.start();
    void transport.send({ jsonrpc: "2.0", method: "first" });
    await turn(); // the batch is written; the stream is now full
    let released = false;
    const waiting = transport.send({ jsonrpc: "2.0", method: "second" }).then(() => (released = true));
    await turn();
    expect(released).toBe(false);
    output.destroy();
    await waiting;
    expect(released).toBe(true);
  });

  it("sheds advisory messages for a reader that does not read: the newest per key waits, nothing piles up", async () => {
    const output = stuckOutput();
    const transport = new NdjsonStreamTransport(new PassThrough(), output, { maxBufferedBytes: 64 * 1024 });
    await transport.start();
    void transport.send({ jsonrpc: "2.0", method: "first", params: { pad: "x".repeat(100 * 1024) } });
    await turn();
    const sends: Array<Promise<void>> = [];
    for (let i = 0; i < 10_000; i++) {
      sends.push(transport.send({ jsonrpc: "2.0", method: "notifications/progress", params: { progress: i, pad: "y".repeat(1024) } }, { advisory: { coalesceKey: "p" } }));
    }
    // Advisory sends never wait on the stream: no promise per message is left pending.
    let settled = 0;
    for (const sent of sends) void sent.then(() => settled++);
    await turn();
    expect(settled).toBe(sends.length);
    expect(output.writableLength).toBeLessThan(110 * 1024);
  });

  it("refuses at once, with OUTPUT_QUEUE_FULL, what a child that stopped reading would have to buffer", async () => {
    const child = deafChild();
    const MB = 1024 * 1024;
    const transport = new NdjsonStreamTransport(child.stdout, child.stdin, { maxMessageBytes: MB, maxQueuedBytes: 4 * MB, label: 'backend "deaf"' });
    await transport.start();
    const big = { jsonrpc: "2.0" as const, method: "big", params: { pad: "z".repeat(MB - 100) } };
    const outcomes: Array<"queued" | unknown> = [];
    for (let i = 0; i < 20; i++) {
      transport.send(big).then(
        () => outcomes.push("queued"),
        (error: unknown) => outcomes.push(error),
      );
      await turn();
    }
    await turn();
    const refused = outcomes.filter((outcome) => outcome !== "queued");
    expect(refused.length).toBeGreaterThanOrEqual(14);
    expect(refused.every((error) => hasCode(error, "OUTPUT_QUEUE_FULL"))).toBe(true);
    expect(String(refused[0])).toMatch(/backend "deaf" is not reading its input: \d+ bytes are waiting/);
    // Bounded: about the limit plus one message, not all twenty.
    expect(child.stdin.writableLength).toBeLessThanOrEqual(5 * MB);
  });

  it("always takes one message when nothing waits, however large", async () => {
    const child = deafChild();
    const transport = new NdjsonStreamTransport(child.stdout, child.stdin, { maxQueuedBytes: 1024 });
    await transport.start();
    await transport.send({ jsonrpc: "2.0", method: "big", params: { pad: "z".repeat(512 * 1024) } });
    await turn();
    expect(child.stdin.writableLength).toBeGreaterThan(1024); // written, and waiting: the child reads nothing
    const next = transport.send({ jsonrpc: "2.0", method: "next" }).then(() => "sent", (error: unknown) => error);
    expect(await Promise.race([next, turn().then(() => "still waiting")])).toMatchObject({ code: "OUTPUT_QUEUE_FULL" });
  });

  it("writes a large shared result as pieces around its one Buffer, in every line, never copied", async () => {
    const chunks: Array<string | Buffer> = [];
    const output = new Writable({
      decodeStrings: false,
      write(chunk: string | Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
    });
    const transport = new NdjsonStreamTransport(new PassThrough(), output);
    await transport.start();
    const result = shareResult({ tools: Array.from({ length: 3000 }, (_, i) => ({ name: `tool_${i}`, description: "d".repeat(30) })) });
    const body = (serializeMessage({ jsonrpc: "2.0", id: 0, result }) as SplicedText).body;
    await transport.send({ jsonrpc: "2.0", id: 1, result });
    await transport.send({ jsonrpc: "2.0", method: "between" });
    await transport.send({ jsonrpc: "2.0", id: 2, result });
    await turn();
    expect(chunks.filter((chunk) => chunk === body)).toHaveLength(2);
    const lines = chunks.map((chunk) => (typeof chunk === "string" ? chunk : chunk.toString("utf8"))).join("").split("\n");
    expect(lines.pop()).toBe("");
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual([
      { jsonrpc: "2.0", id: 1, result },
      { jsonrpc: "2.0", method: "between" },
      { jsonrpc: "2.0", id: 2, result },
    ]);
  });

  it("refuses to send once closed", async () => {
    const transport = new NdjsonStreamTransport(new PassThrough(), new PassThrough());
    await transport.start();
    await transport.close();
    await expect(transport.send({ jsonrpc: "2.0", method: "late" })).rejects.toThrow(/closed/);
  });
});

describe("NdjsonStreamTransport input flow control", () => {
  const request = (id: number) => JSON.stringify({ jsonrpc: "2.0", id, method: "ping" }) + "\n";

  async function transportOn(input: PassThrough, output: Writable, pauseInputWhileOutputFull = false) {
    const transport = new NdjsonStreamTransport(input, output, { pauseInputWhileOutputFull });
    const received: unknown[] = [];
    transport.onmessage = (message) => received.push("id" in message ? message.id : message);
    await transport.start();
    return { transport, received };
  }

  it("delivers nothing between pauseInput and resumeInput, then everything, in order", async () => {
    const input = new PassThrough();
    const { transport, received } = await transportOn(input, new PassThrough());
    input.write(request(1));
    await turn();
    transport.pauseInput();
    input.write(request(2) + request(3));
    await turn();
    await turn();
    expect(received).toEqual([1]);
    transport.resumeInput();
    await turn();
    expect(received).toEqual([1, 2, 3]);
  });

  it("still delivers the rest of the chunk in hand when paused from a message handler, then stops", async () => {
    const input = new PassThrough();
    const { transport, received } = await transportOn(input, new PassThrough());
    transport.onmessage = (message) => {
      received.push("id" in message ? message.id : message);
      if (received.length === 1) transport.pauseInput();
    };
    input.write(request(1) + request(2) + request(3));
    await turn();
    input.write(request(4));
    await turn();
    await turn();
    expect(received).toEqual([1, 2, 3]); // one chunk, delivered whole; the next waits
    transport.resumeInput();
    await turn();
    expect(received).toEqual([1, 2, 3, 4]);
  });

  it("resumes only when neither the peer nor a full output holds the input", async () => {
    const input = new PassThrough();
    let release: (() => void) | undefined;
    // An output that takes one chunk and then waits until we release it.
    const output = new Writable({
      highWaterMark: 1,
      write: (_chunk, _encoding, callback) => {
        release = callback;
      },
    });
    const { transport, received } = await transportOn(input, output, true);
    void transport.send({ jsonrpc: "2.0", method: "fill", params: { pad: "x".repeat(1000) } });
    await turn(); // written: the output is full, input pauses
    transport.pauseInput();
    input.write(request(1));
    await turn();
    transport.resumeInput(); // the output is still full: input stays held
    await turn();
    expect(received).toEqual([]);
    transport.pauseInput();
    release!(); // the output drains, but the peer still holds the input
    await turn();
    await turn();
    expect(received).toEqual([]);
    transport.resumeInput(); // both reasons gone
    await turn();
    expect(received).toEqual([1]);
  });
});
