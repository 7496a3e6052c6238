import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { JsonObject, JsonRpcMessage } from "../../src/jsonrpc/message.js";
import { joinWireTexts, serializeMessage, shareResult, SPLICE_MIN_BYTES, SplicedText, stringifyMessage, wireByteLength } from "../../src/jsonrpc/serialize.js";

const json = fc.jsonValue() as fc.Arbitrary<unknown>;
const object = fc.dictionary(fc.string(), json) as fc.Arbitrary<JsonObject>;
const id = fc.oneof(fc.integer(), fc.string());

describe("stringifyMessage", () => {
  it("writes exactly what JSON.stringify writes, shared result or not", () => {
    fc.assert(
      fc.property(id, object, fc.boolean(), (requestId, result, shared) => {
        const message: JsonRpcMessage = { jsonrpc: "2.0", id: requestId, result: shared ? shareResult({ ...result }) : result };
        const text = stringifyMessage(message);
        expect(text).toBe(JSON.stringify(message));
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(message)));
      }),
    );
  });

  it("serialises a shared result once and reuses the text under any id", () => {
    const result = shareResult({ tools: [{ name: "a" }] });
    expect(stringifyMessage({ jsonrpc: "2.0", id: 1, result })).toBe('{"jsonrpc":"2.0","id":1,"result":{"tools":[{"name":"a"}]}}');
    // The contract: shared results are immutable. Mutating one shows the text is cached.
    (result.tools as unknown[]).push({ name: "b" });
    expect(stringifyMessage({ jsonrpc: "2.0", id: "x", result })).toBe('{"jsonrpc":"2.0","id":"x","result":{"tools":[{"name":"a"}]}}');
  });

  it("leaves requests, notifications and errors to JSON.stringify", () => {
    const messages: JsonRpcMessage[] = [
      { jsonrpc: "2.0", id: 3, method: "tools/list" },
      { jsonrpc: "2.0", method: "notifications/initialized" },
      { jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } },
    ];
    for (const message of messages) expect(stringifyMessage(message)).toBe(JSON.stringify(message));
  });

  it("throws, like JSON.stringify, for values JSON cannot carry", () => {
    expect(() => stringifyMessage({ jsonrpc: "2.0", id: 1, result: { n: 1n } })).toThrow(TypeError);
    expect(() => stringifyMessage({ jsonrpc: "2.0", id: 1, result: shareResult({ n: 2n }) })).toThrow(TypeError);
  });
});

describe("serializeMessage: a large shared result is one Buffer, spliced into every answer", () => {
  const big = () => shareResult({ tools: Array.from({ length: 2000 }, (_, i) => ({ name: `tool_${i}`, description: "é".repeat(40) })) });

  it("answers pieces around the same Buffer under any id, with exactly JSON.stringify's text and bytes", () => {
    const result = big();
    const first = serializeMessage({ jsonrpc: "2.0", id: 1, result });
    const second = serializeMessage({ jsonrpc: "2.0", id: "x", result });
    expect(first).toBeInstanceOf(SplicedText);
    expect(second).toBeInstanceOf(SplicedText);
    const [a, b] = [first as SplicedText, second as SplicedText];
    expect(a.body).toBe(b.body); // one serialisation, no copy per answer
    expect(a.toString()).toBe(JSON.stringify({ jsonrpc: "2.0", id: 1, result }));
    expect(b.toString()).toBe(JSON.stringify({ jsonrpc: "2.0", id: "x", result }));
    expect(a.byteLength).toBe(Buffer.byteLength(a.toString()));
    expect(wireByteLength(a)).toBe(a.byteLength);
    expect(stringifyMessage({ jsonrpc: "2.0", id: 1, result })).toBe(a.toString());
  });

  it("keeps small shared results as plain text", () => {
    const text = serializeMessage({ jsonrpc: "2.0", id: 1, result: shareResult({ tools: [] }) });
    expect(typeof text).toBe("string");
    expect(JSON.stringify({ tools: Array(10).fill({ name: "t" }) }).length).toBeLessThan(SPLICE_MIN_BYTES);
  });

  it("joins answers into pieces that read as the JSON array, the shared body left whole", () => {
    const result = big();
    const texts = [serializeMessage({ jsonrpc: "2.0", id: 1, result }), '{"jsonrpc":"2.0","id":2,"result":{}}', serializeMessage({ jsonrpc: "2.0", id: 3, result })];
    const pieces = joinWireTexts(texts, "[", ",", "]");
    expect(pieces.filter((piece) => Buffer.isBuffer(piece))).toHaveLength(2);
    const joined = pieces.map((piece) => (typeof piece === "string" ? piece : piece.toString("utf8"))).join("");
    expect(JSON.parse(joined)).toEqual([
      { jsonrpc: "2.0", id: 1, result },
      { jsonrpc: "2.0", id: 2, result: {} },
      { jsonrpc: "2.0", id: 3, result },
    ]);
    expect(joinWireTexts(["a", "b"], "[", ",", "]")).toEqual(["[a,b]"]);
  });
});
