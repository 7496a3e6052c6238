import { PassThrough, Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { NdjsonStreamTransport } from "../../src/transport/ndjson-stream-transport.js";

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

  it("refuses to send once closed", async () => {
    const transport = new NdjsonStreamTransport(new PassThrough(), new PassThrough());
    await transport.start();
    await transport.close();
    await expect(transport.send({ jsonrpc: "2.0", method: "late" })).rejects.toThrow(/closed/);
  });
});
