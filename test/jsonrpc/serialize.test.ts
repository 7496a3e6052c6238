import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { JsonObject, JsonRpcMessage } from "../../src/jsonrpc/message.js";
import { shareResult, stringifyMessage } from "../../src/jsonrpc/serialize.js";

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
