import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { isolatedSignal } from "../../src/jsonrpc/isolated-signal.js";
import { Cancellation } from "../../src/jsonrpc/cancellation.js";

describe("isolatedSignal", () => {
  it("is a real AbortSignal that aborts with the cancellation's reason", async () => {
    const cancellation = new Cancellation();
    const signal = isolatedSignal(cancellation, () => undefined);
    expect(signal).toBeInstanceOf(AbortSignal);
    const aborted = once(signal, "abort");
    const reason = new Error("client cancelled");
    cancellation.cancel(reason);
    await aborted;
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(reason);
  });

  it("is aborted at once for a cancellation already cancelled", () => {
    const cancellation = new Cancellation();
    cancellation.cancel(new Error("gone"));
    expect(isolatedSignal(cancellation, () => undefined).aborted).toBe(true);
  });

  it("reports what listeners throw and runs the others; removeEventListener and onabort work", () => {
    const cancellation = new Cancellation();
    const reported: unknown[] = [];
    const signal = isolatedSignal(cancellation, (error) => void reported.push(error));
    const seen: string[] = [];
    const removed = (): void => void seen.push("removed");
    signal.addEventListener("abort", () => {
      throw new Error("first broke");
    });
    signal.addEventListener("abort", removed);
    signal.removeEventListener("abort", removed);
    signal.addEventListener("abort", { handleEvent: () => void seen.push("object") });
    signal.onabort = () => {
      throw new Error("onabort broke");
    };
    expect(typeof signal.onabort).toBe("function");
    signal.addEventListener("abort", function (this: unknown) {
      seen.push(this === signal ? "this is the signal" : "wrong this");
    });
    cancellation.cancel(new Error("cancelled"));
    expect(seen).toEqual(["object", "this is the signal"]);
    expect(reported.map((error) => (error as Error).message)).toEqual(["first broke", "onabort broke"]);
  });
});
