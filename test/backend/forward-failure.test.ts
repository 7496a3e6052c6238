import { describe, expect, it } from "vitest";
import { explainForwardFailure } from "../../src/backend/forward-failure.js";
import "../../src/backend/error-codes.js";
import { JsonRpcError } from "../../src/jsonrpc/errors.js";
import { SwitchboardError } from "../../src/jsonrpc/local-error.js";
import { toWireError } from "../../src/gateway/gateway.js";

const LABEL = 'backend "time"';

function explain(error: unknown): unknown {
  return explainForwardFailure(LABEL, "tools/call", error, 1500);
}

describe("a failed forward is blamed on whoever failed", () => {
  it("a backend that does not read its input: BACKEND_NOT_READING, the request was not sent", () => {
    const error = explain(new SwitchboardError("OUTPUT_QUEUE_FULL", "16777216 bytes are queued for it"));
    expect(error).toBeInstanceOf(SwitchboardError);
    expect((error as SwitchboardError).code).toBe("BACKEND_NOT_READING");
    expect((error as SwitchboardError).message).toMatch(/^backend "time" is not reading its input \(16777216 bytes are queued for it\); tools\/call was not sent/);
    const wire = toWireError(error, "time");
    expect(wire.code).toBe(-32000);
    expect(wire.data).toEqual({ server: "time", reason: "BACKEND_NOT_READING" });
  });

  it("a malformed answer: BACKEND_INVALID_ANSWER naming the server and what was wrong", () => {
    const error = explain(new SwitchboardError("INVALID_MESSAGE", 'the response has both "result" and "error"'));
    expect((error as SwitchboardError).code).toBe("BACKEND_INVALID_ANSWER");
    expect((error as SwitchboardError).message).toMatch(/^backend "time" answered tools\/call with a malformed response \(the response has both "result" and "error"\)/);
    const wire = toWireError(error, "time");
    expect(wire.code).toBe(-32000);
    expect(wire.data).toEqual({ server: "time", reason: "BACKEND_INVALID_ANSWER" });
  });

  it("our own serialisation failure passes through as ours: not an exit, not a restart, -32603 on the wire", () => {
    const ours = new SwitchboardError("UNSERIALISABLE", "could not serialise tools/call: a BigInt cannot be sent as JSON");
    const error = explain(ours);
    expect(error).toBe(ours);
    expect((error as Error).message).not.toMatch(/exited|restart/);
    const wire = toWireError(error, "time");
    expect(wire.code).toBe(-32603);
    expect(wire.message).toBe(ours.message);
    expect(wire.data).toEqual({ server: "time", reason: "UNSERIALISABLE" });
  });

  it("a timeout in the backend's words, -32001 on the wire", () => {
    const error = explain(new SwitchboardError("REQUEST_TIMEOUT", "tools/call timed out"));
    expect((error as SwitchboardError).code).toBe("REQUEST_TIMEOUT");
    expect((error as SwitchboardError).message).toMatch(/^backend "time" did not answer tools\/call within 1500 ms/);
    expect(toWireError(error, "time").code).toBe(-32001);
  });

  it("the backend's own JSON-RPC error goes through untouched; an exit is backend trouble (-32000)", () => {
    const own = new JsonRpcError(-32602, "Unknown tool: nope");
    expect(explain(own)).toBe(own);
    expect(toWireError(own, "time")).toBe(own);
    expect(toWireError(new SwitchboardError("BACKEND_EXITED", 'backend "time" exited with code 1'), "time").code).toBe(-32000);
    expect(toWireError(new SwitchboardError("BACKEND_UNAVAILABLE", 'backend "time" is restarting'), "time").code).toBe(-32000);
  });
});
