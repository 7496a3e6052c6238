import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SseParser, type SseEvent } from "../../src/transport/sse-parser.js";

interface Outcome {
  events: SseEvent[];
  retries: number[];
  oversized: number[];
}

function parse(chunks: Buffer[], maxEventBytes = 1024 * 1024): Outcome & { lastEventId: string } {
  const out: Outcome = { events: [], retries: [], oversized: [] };
  const parser = new SseParser(
    { event: (e) => out.events.push(e), retry: (ms) => out.retries.push(ms), oversized: (bytes) => out.oversized.push(bytes) },
    maxEventBytes,
  );
  for (const chunk of chunks) parser.push(chunk);
  parser.end();
  return { ...out, lastEventId: parser.lastEventId };
}

/** Split `bytes` at the given cut points (any byte offset, inside characters too). */
function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let last = 0;
  for (const point of points) {
    chunks.push(bytes.subarray(last, point));
    last = point;
  }
  chunks.push(bytes.subarray(last));
  return chunks;
}

const text = (s: string) => Buffer.from(s, "utf8");

describe("SseParser", () => {
  it("reads multi-line data, event names, ids, retry and comments", () => {
    const out = parse([text(": hello\nevent: endpoint\ndata: /messages?s=1\n\nid: 7\ndata: a\ndata:b\ndata\nretry: 1500\n\n")]);
    expect(out.events).toEqual([
      { event: "endpoint", data: "/messages?s=1", id: "" },
      { event: "message", data: "a\nb\n", id: "7" },
    ]);
    expect(out.retries).toEqual([1500]);
    expect(out.lastEventId).toBe("7");
  });

  it("skips a BOM, even split across chunks, and only at the start", () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), text("data: x\n\n")]);
    expect(parse(split(body, [1, 2])).events).toEqual([{ event: "message", data: "x", id: "" }]);
    expect(parse([text("data: x\n\n"), Buffer.from([0xef, 0xbb, 0xbf]), text("data: y\n\n")]).events.map((e) => e.data)).toEqual(["x"]);
  });

  it("treats CR, LF and CRLF alike, a CRLF split between chunks included", () => {
    for (const chunks of [[text("data: a\r"), text("\ndata: b\r\n\r\n")], [text("data: a\rdata: b\r\r")], [text("data: a\ndata: b\n\n")]]) {
      expect(parse(chunks).events).toEqual([{ event: "message", data: "a\nb", id: "" }]);
    }
  });

  it("ignores an id holding NUL, bad retry values, unknown fields; drops an unterminated event at the end", () => {
    const out = parse([text("id: 1\n\nid: a\0b\nretry: 12x\nfoo: bar\ndata: z\n\ndata: cut")]);
    expect(out.events).toEqual([{ event: "message", data: "z", id: "1" }]);
    expect(out.retries).toEqual([]);
  });

  it("gives the same events for any chunking, line ending, BOM and comment placement (property)", () => {
    const event = fc.record({
      event: fc.option(fc.stringMatching(/^[a-z]{1,8}$/), { nil: undefined }),
      id: fc.option(fc.stringMatching(/^[a-z0-9-]{1,8}$/), { nil: undefined }),
      lines: fc.array(fc.string({ unit: "grapheme" }).filter((s) => !/[\r\n]/.test(s)), { minLength: 1, maxLength: 4 }),
      comment: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 8 }), fc.constantFrom("\n", "\r", "\r\n"), fc.boolean(), fc.array(fc.nat(), { maxLength: 40 }), (events, eol, bom, cuts) => {
        let wire = bom ? "\uFEFF" : "";
        const expected: SseEvent[] = [];
        let lastId = "";
        for (const e of events) {
          if (e.comment) wire += `: note${eol}`;
          if (e.event !== undefined) wire += `event: ${e.event}${eol}`;
          if (e.id !== undefined) {
            wire += `id: ${e.id}${eol}`;
            lastId = e.id;
          }
          for (const line of e.lines) wire += `data: ${line}${eol}`;
          wire += eol;
          expected.push({ event: e.event ?? "message", data: e.lines.join("\n"), id: lastId });
        }
        const out = parse(split(text(wire), cuts));
        expect(out.events).toEqual(expected);
        expect(out.oversized).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it("drops an event over the limit once, in any chunking, and reads the next one", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.array(fc.nat(), { maxLength: 20 }), (lines, cuts) => {
        const big = "x".repeat(600);
        const wire = text(`id: 1\n${`data: ${big}\n`.repeat(lines)}\ndata: small\n\n`);
        const out = parse(split(wire, cuts), 1000);
        expect(out.events).toEqual(lines * 601 > 1001 ? [{ event: "message", data: "small", id: "1" }] : [{ event: "message", data: Array(lines).fill(big).join("\n"), id: "1" }, { event: "message", data: "small", id: "1" }]);
        expect(out.oversized.length).toBe(lines * 601 > 1001 ? 1 : 0);
      }),
    );
  });

  it("keeps memory bounded for a 50 MB event in one line, fed in 64 KiB chunks", () => {
    const max = 1024 * 1024;
    const out: Outcome = { events: [], retries: [], oversized: [] };
    const parser = new SseParser({ event: (e) => out.events.push(e), oversized: (b) => out.oversized.push(b) }, max);
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    parser.push(text("data: "));
    const before = process.memoryUsage().arrayBuffers;
    for (let sent = 0; sent < 50 * 1024 * 1024; sent += chunk.length) parser.push(chunk);
    const grown = process.memoryUsage().arrayBuffers - before;
    parser.push(text("\n\ndata: after\n\n"));
    expect(out.oversized.length).toBe(1);
    expect(out.events).toEqual([{ event: "message", data: "after", id: "" }]);
    expect(grown).toBeLessThan(8 * max);
  });
});
