import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { SplicedText } from "../../src/jsonrpc/serialize.js";
import { OutboundQueue, type ShedCount } from "../../src/transport/outbound-queue.js";

const turn = () => new Promise((resolve) => setImmediate(resolve));

/** A writable whose reader we drive: nothing leaves its buffer until `read()`. */
function slowReader(highWaterMark = 64) {
  const written: string[] = [];
  let callbacks: Array<() => void> = [];
  const stream = new Writable({
    highWaterMark,
    decodeStrings: false,
    write(chunk: string, _encoding, callback) {
      written.push(chunk);
      callbacks.push(callback);
    },
  });
  return {
    stream,
    /** Everything written so far, as one text. */
    text: () => written.map((chunk) => (typeof chunk === "string" ? chunk : (chunk as Buffer).toString("utf8"))).join(""),
    /** Let every write so far complete (the reader caught up). */
    read() {
      const pending = callbacks;
      callbacks = [];
      for (const callback of pending) callback();
    },
    writes: () => written.length,
  };
}

const line = (name: string, value: number) => `${name}=${value};`;

describe("OutboundQueue", () => {
  it("writes what was queued in one turn in one write", async () => {
    const reader = slowReader(1024);
    const queue = new OutboundQueue(reader.stream);
    for (let i = 0; i < 10; i++) void queue.push(line("m", i));
    await turn();
    expect(reader.writes()).toBe(1);
    expect(reader.text()).toBe(Array.from({ length: 10 }, (_, i) => line("m", i)).join(""));
  });

  it("writes a large text and a shared body as chunks of their own, in order, around the joined small ones", async () => {
    const reader = slowReader(64 * 1024 * 1024);
    const queue = new OutboundQueue(reader.stream);
    const large = "L".repeat(2 * 1024 * 1024);
    const body = Buffer.from("BODY");
    void queue.push("a;");
    void queue.push(large);
    void queue.push("b;");
    void queue.push(new SplicedText("head(", body, ")tail;"));
    void queue.push("c;");
    expect(queue.bufferedBytes).toBe(2 + large.length + 2 + 5 + 4 + 6 + 2);
    await turn();
    for (let i = 0; i < 5; i++) {
      reader.read();
      await turn();
    }
    // "a;", the large text, "b;head(", the body, ")tail;c;": small texts joined, large ones alone.
    expect(reader.writes()).toBe(5);
    expect(reader.text()).toBe(`a;${large}b;head(BODY)tail;c;`);
  });

  it("gives every sender one shared wait while the stream is full, and lets them go when it drains", async () => {
    const reader = slowReader(8);
    const queue = new OutboundQueue(reader.stream);
    void queue.push("x".repeat(100));
    await turn();
    const waits = Array.from({ length: 1000 }, () => queue.push("y"));
    expect(new Set(waits).size).toBe(1);
    expect(reader.stream.listenerCount("drain")).toBeLessThanOrEqual(1);
    let released = false;
    void waits[0]!.then(() => (released = true));
    await turn();
    expect(released).toBe(false);
    reader.read();
    await turn();
    reader.read();
    await turn();
    expect(released).toBe(true);
  });

  it("keeps only the newest advisory message per key while the reader is slow, in order, and never sheds the others", async () => {
    const reader = slowReader(16);
    const sheds: ShedCount[] = [];
    const queue = new OutboundQueue(reader.stream, { maxBufferedBytes: 100, onShed: (count) => sheds.push(count) });
    void queue.push("x".repeat(200)); // over the bound from now on
    await turn();
    for (let i = 1; i <= 1000; i++) {
      void queue.push(line("a", i), { coalesceKey: "a" });
      void queue.push(line("b", i), { coalesceKey: "b" });
      void queue.push(line("drop", i), {});
    }
    void queue.push("R1;");
    for (let i = 1001; i <= 2000; i++) void queue.push(line("a", i), { coalesceKey: "a" });
    void queue.push("R2;");
    await turn();
    // Bounded: the 3000 advisory messages did not pile up behind the full stream.
    expect(reader.stream.writableLength).toBeLessThan(300);
    for (let i = 0; i < 5; i++) {
      reader.read();
      await turn();
    }
    const after = reader.text().slice(200);
    // What was held went out before the response queued after it; the newest value per key won.
    expect(after).toBe("a=1000;b=1000;R1;a=2000;R2;");
    expect(sheds).toEqual([{ dropped: 1000, coalesced: 999 + 999 + 999, limitBytes: 100 }]);
  });

  it("reports once per episode, when the reader has caught up", async () => {
    const reader = slowReader(16);
    const sheds: ShedCount[] = [];
    const queue = new OutboundQueue(reader.stream, { maxBufferedBytes: 50, onShed: (count) => sheds.push(count) });
    for (let episode = 0; episode < 3; episode++) {
      void queue.push("x".repeat(100));
      await turn();
      for (let i = 0; i < 100; i++) void queue.push(line("p", i), { coalesceKey: "p" });
      expect(sheds.length).toBe(episode);
      for (let i = 0; i < 4; i++) {
        reader.read();
        await turn();
      }
      expect(sheds.length).toBe(episode + 1);
    }
    expect(sheds.every((count) => count.coalesced === 99)).toBe(true);
  });

  it("lets go of everything when the reader goes away: waits settle, held messages count as dropped", async () => {
    const reader = slowReader(16);
    const sheds: ShedCount[] = [];
    const queue = new OutboundQueue(reader.stream, { maxBufferedBytes: 50, onShed: (count) => sheds.push(count) });
    void queue.push("x".repeat(100));
    await turn();
    const waits = [queue.push("r1"), queue.push("r2")];
    for (let i = 0; i < 100; i++) void queue.push(line("p", i), { coalesceKey: `k${i % 10}` });
    reader.stream.destroy();
    await Promise.all(waits);
    await turn();
    expect(sheds).toEqual([{ dropped: 10, coalesced: 90, limitBytes: 50 }]);
    expect(reader.stream.listenerCount("drain")).toBe(0);
    await queue.push("late");
    await turn();
    expect(reader.text()).not.toContain("late");
  });

  it("announces when the stream is full and when it has room again", async () => {
    const reader = slowReader(8);
    const states: boolean[] = [];
    const queue = new OutboundQueue(reader.stream, { onFull: (full) => states.push(full) });
    void queue.push("x".repeat(100));
    await turn();
    void queue.push("y".repeat(100));
    await turn();
    expect(states).toEqual([true]);
    for (let i = 0; i < 3; i++) {
      reader.read();
      await turn();
    }
    expect(states).toEqual([true, false]);
  });
});
