import { describe, expect, it } from "vitest";
import { RequestStateSealer, stateKey } from "../../src/gateway/request-state.js";
import { ErrorCode, JsonRpcError } from "../../src/jsonrpc/errors.js";

/** Sealed requestState: round trip, tampering, expiry, keys. */

function refusal(run: () => unknown): JsonRpcError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(JsonRpcError);
    return error as JsonRpcError;
  }
  throw new Error("expected a refusal");
}

describe("RequestStateSealer", () => {
  it("opens what it sealed, and the state reveals nothing of the payload", () => {
    const sealer = new RequestStateSealer(stateKey());
    const state = sealer.seal({ k: "held", id: "call-secret-id", srv: "alpha" }, 60_000);
    expect(state.startsWith("sb1.")).toBe(true);
    expect(state).not.toContain("alpha");
    expect(Buffer.from(state.slice(4), "base64url").toString("latin1")).not.toContain("call-secret-id");
    expect(sealer.open(state)).toMatchObject({ k: "held", id: "call-secret-id", srv: "alpha" });
  });

  it("seals the same payload differently each time (random IV)", () => {
    const sealer = new RequestStateSealer(stateKey());
    expect(sealer.seal({ a: 1 }, 1000)).not.toBe(sealer.seal({ a: 1 }, 1000));
  });

  it("refuses a state with any one byte altered", () => {
    const sealer = new RequestStateSealer(stateKey());
    const state = sealer.seal({ k: "held", id: "x" }, 60_000);
    const raw = Buffer.from(state.slice(4), "base64url");
    for (let at = 0; at < raw.length; at++) {
      const altered = Buffer.from(raw);
      altered[at] = (altered[at] as number) ^ 0x01;
      const error = refusal(() => sealer.open("sb1." + altered.toString("base64url")));
      expect(error.code).toBe(ErrorCode.InvalidParams);
      expect(error.message).toMatch(/requestState .*altered.*send the original request again/);
    }
  });

  it("accepts only the exact text it issued: spare bits of the last character and stray characters are refused", () => {
    const sealer = new RequestStateSealer(stateKey());
    const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let checked = 0;
    for (let i = 0; checked < 5 && i < 200; i++) {
      const state = sealer.seal({ n: i }, 60_000);
      const body = state.length - 4;
      if (body % 4 === 0) continue; // every bit of the last character counts
      const last = ALPHABET.indexOf(state.at(-1)!);
      const twin = state.slice(0, -1) + ALPHABET[last ^ 1]; // the lowest bit is a spare one
      expect(Buffer.from(twin.slice(4), "base64url").equals(Buffer.from(state.slice(4), "base64url"))).toBe(true);
      expect(refusal(() => sealer.open(twin)).code).toBe(ErrorCode.InvalidParams);
      expect(refusal(() => sealer.open(state.slice(0, 10) + "*" + state.slice(10))).code).toBe(ErrorCode.InvalidParams);
      checked++;
    }
    expect(checked).toBe(5);
  });

  it("refuses a state sealed under another key, and accepts one sealed by a replica sharing the secret", () => {
    const secret = "a shared secret of some length";
    const mine = new RequestStateSealer(stateKey(secret));
    const replica = new RequestStateSealer(stateKey(secret));
    const stranger = new RequestStateSealer(stateKey());
    const state = replica.seal({ k: "wrap" }, 60_000);
    expect(mine.open(state)).toMatchObject({ k: "wrap" });
    expect(refusal(() => stranger.open(state)).message).toMatch(/another key/);
  });

  it("refuses an expired state (fake clock)", () => {
    let now = 1_000_000;
    const sealer = new RequestStateSealer(stateKey(), () => now);
    const state = sealer.seal({ k: "held" }, 5000);
    now += 5000;
    expect(sealer.open(state)).toMatchObject({ k: "held", exp: 1_005_000 });
    now += 1;
    const error = refusal(() => sealer.open(state));
    expect(error.code).toBe(ErrorCode.InvalidParams);
    expect(error.message).toMatch(/expired/);
  });

  it("refuses strings that are not our states", () => {
    const sealer = new RequestStateSealer(stateKey());
    for (const state of ["", "hello", "sb1.", "sb1.AAAA", "sb2." + "A".repeat(80), "sb1." + "A".repeat(2_000_000)]) {
      expect(refusal(() => sealer.open(state)).code).toBe(ErrorCode.InvalidParams);
    }
  });

  it("refuses a secret too short to be a key", () => {
    expect(() => stateKey("short")).toThrow(/at least 16 characters/);
  });
});
