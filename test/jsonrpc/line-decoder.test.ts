import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LineDecoder } from "../../src/jsonrpc/line-decoder.js";
import type { SwitchboardError } from "../../src/jsonrpc/local-error.js";

function collect(maxBytes?: number) {
  const lines: string[] = [];
  const oversized: SwitchboardError[] = [];
  const decoder = new LineDecoder({ line: (text) => void lines.push(text), oversized: (error) => void oversized.push(error) }, maxBytes);
  return { decoder, lines, oversized };
}

/** Split `bytes` at the given (sorted, deduplicated) cut points. */
function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let start = 0;
  for (const point of points) {
    parts.push(bytes.subarray(start, point));
    start = point;
  }
  parts.push(bytes.subarray(start));
  return parts;
}

describe("LineDecoder", () => {
  it("delivers the same lines for every split point, inside multi-byte characters too", () => {
    const text = `{"a":"é€𝄞"}\n{"b":"ok"}\r\n\n   \n{"c":"日本"}\n`;
    const bytes = Buffer.from(text, "utf8");
    for (let cut = 0; cut <= bytes.length; cut++) {
      const { decoder, lines } = collect();
      decoder.push(bytes.subarray(0, cut));
      decoder.push(bytes.subarray(cut));
      expect(lines).toEqual(['{"a":"é€𝄞"}', '{"b":"ok"}', '{"c":"日本"}']);
    }
  });

  it("property: random messages, random chunking, same lines out", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: "grapheme", minLength: 1 }).filter((s) => s.trim().length > 0), { minLength: 1, maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.boolean(),
        (messages, cuts, crlf) => {
          const lines = messages.map((m) => JSON.stringify(m));
          const bytes = Buffer.from(lines.map((l) => l + (crlf ? "\r\n" : "\n")).join(""), "utf8");
          const { decoder, lines: out } = collect();
          for (const part of split(bytes, cuts)) decoder.push(part);
          decoder.end();
          expect(out).toEqual(lines);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("skips an oversized line once, resynchronises at the next newline, and stays bounded", () => {
    const { decoder, lines, oversized } = collect(64);
    decoder.push(Buffer.from('{"first":1}\n'));
    for (let i = 0; i < 100; i++) {
      decoder.push(Buffer.alloc(50, 0x61));
      expect(decoder.bufferedBytes).toBeLessThanOrEqual(64);
    }
    decoder.push(Buffer.from('\n{"after":2}\n'));
    expect(lines).toEqual(['{"first":1}', '{"after":2}']);
    expect(oversized).toHaveLength(1);
    expect(oversized[0]!.code).toBe("MESSAGE_TOO_LARGE");
    expect(oversized[0]!.message).toMatch(/exceeds the limit of 64 bytes/);
  });

  it("reports an oversized line that arrives whole in one chunk", () => {
    const { decoder, lines, oversized } = collect(16);
    decoder.push(Buffer.from("x".repeat(40) + "\nshort\n"));
    expect(lines).toEqual(["short"]);
    expect(oversized).toHaveLength(1);
  });

  it("delivers a last line without a newline at end()", () => {
    const { decoder, lines } = collect();
    decoder.push(Buffer.from("one\ntwo"));
    expect(lines).toEqual(["one"]);
    decoder.end();
    expect(lines).toEqual(["one", "two"]);
  });
});
