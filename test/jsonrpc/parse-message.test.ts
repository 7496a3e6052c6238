import { describe, expect, it } from "vitest";
import { parseMessageText, validateMessage } from "../../src/jsonrpc/parse-message.js";

function refused(value: unknown) {
  const outcome = validateMessage(value);
  if (outcome.ok) throw new Error(`accepted ${JSON.stringify(value)}`);
  return outcome;
}

describe("parseMessageText / validateMessage", () => {
  it("accepts the four message kinds", () => {
    expect(validateMessage({ jsonrpc: "2.0", id: 1, method: "ping" })).toEqual({ ok: true, message: { jsonrpc: "2.0", id: 1, method: "ping" } });
    expect(validateMessage({ jsonrpc: "2.0", method: "n", params: { a: 1 } })).toEqual({ ok: true, message: { jsonrpc: "2.0", method: "n", params: { a: 1 } } });
    expect(validateMessage({ jsonrpc: "2.0", id: "x", result: {} })).toEqual({ ok: true, message: { jsonrpc: "2.0", id: "x", result: {} } });
    expect(validateMessage({ jsonrpc: "2.0", id: null, error: { code: -1, message: "m", data: 3 } })).toEqual({
      ok: true,
      message: { jsonrpc: "2.0", id: null, error: { code: -1, message: "m", data: 3 } },
    });
  });

  it("-32700 for text that is not JSON", () => {
    const outcome = parseMessageText("{nope");
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expect(outcome.error.code).toBe(-32700);
      expect(outcome.id).toBeNull();
    }
  });

  it("-32600 with the readable id kept, for each malformed envelope", () => {
    expect(refused({ jsonrpc: "1.0", id: 4, method: "x" })).toMatchObject({ id: 4, error: { code: -32600 } });
    expect(refused({ jsonrpc: "2.0", id: 5, method: "" })).toMatchObject({ id: 5 });
    expect(refused({ jsonrpc: "2.0", id: 6, method: "x", params: [1] }).error.message).toMatch(/"params" must be an object/);
    expect(refused({ jsonrpc: "2.0", id: {}, method: "x" })).toMatchObject({ id: null });
    expect(refused([{ jsonrpc: "2.0", id: 1, method: "x" }]).error.message).toMatch(/batches/);
    expect(refused("text").error.message).toMatch(/must be a JSON object/);
    expect(refused({ jsonrpc: "2.0" }).error.message).toMatch(/needs "method"/);
    expect(refused({ jsonrpc: "2.0", id: 1, result: {}, error: { code: 1, message: "" } }).error.message).toMatch(/exactly one/);
    expect(refused({ jsonrpc: "2.0", id: 1, result: 3 }).error.message).toMatch(/"result" must be an object/);
    expect(refused({ jsonrpc: "2.0", id: 1, error: { code: 1.5, message: "m" } }).error.message).toMatch(/integer "code"/);
    expect(refused({ jsonrpc: "2.0", id: null, result: {} }).error.message).toMatch(/non-null "id"/);
  });
});
