import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { HeldCallTable } from "../../src/gateway/held-calls.js";

/** The held-call table: bounded, parked calls expire, eviction takes the parked call held longest. */

function call(name: string, log: string[]) {
  return { abandon: (why: string) => void log.push(`${name}: ${why}`) };
}

describe("HeldCallTable", () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it("abandons a parked call after the timeout, not before, and not while resumed", () => {
    const log: string[] = [];
    const table = new HeldCallTable({ maxHeld: 10, timeoutMs: 1000 });
    table.add("a", call("a", log));
    vi.advanceTimersByTime(5000);
    expect(log).toEqual([]); // not parked: a client is waiting on it
    table.park("a");
    vi.advanceTimersByTime(999);
    table.resume("a");
    vi.advanceTimersByTime(5000);
    expect(log).toEqual([]);
    table.park("a");
    vi.advanceTimersByTime(1000);
    expect(log).toEqual(["a: its client did not retry within 1000 ms (proxy.heldCallTimeout)"]);
    expect(table.size).toBe(0);
    expect(table.get("a")).toBeUndefined();
  });

  it("evicts the call parked longest ago when full, and refuses when no call is parked", () => {
    const log: string[] = [];
    const table = new HeldCallTable({ maxHeld: 2, timeoutMs: 60_000 });
    expect(table.add("a", call("a", log))).toBe(true);
    expect(table.add("b", call("b", log))).toBe(true);
    expect(table.add("c", call("c", log))).toBe(false); // a and b both have clients waiting
    table.park("a");
    table.park("b");
    table.park("a"); // a re-parked: b is now the one parked longest ago
    expect(table.add("c", call("c", log))).toBe(true);
    expect(log).toEqual(["b: it was the oldest of 2 held calls (proxy.maxHeldCalls) when another needed room"]);
    expect(table.size).toBe(2);
    expect(table.get("b")).toBeUndefined();
  });

  it("stays bounded under many calls", () => {
    const log: string[] = [];
    const table = new HeldCallTable({ maxHeld: 50, timeoutMs: 60_000 });
    for (let i = 0; i < 10_000; i++) {
      table.add(`c${i}`, call(`c${i}`, log));
      table.park(`c${i}`);
    }
    expect(table.size).toBe(50);
    expect(log.length).toBe(10_000 - 50);
  });

  it("abandons everything on abandonAll, and delete forgets without abandoning", () => {
    const log: string[] = [];
    const table = new HeldCallTable({ maxHeld: 10, timeoutMs: 1000 });
    table.add("a", call("a", log));
    table.add("b", call("b", log));
    table.park("b");
    table.delete("a");
    table.abandonAll("shutting down");
    expect(log).toEqual(["b: shutting down"]);
    vi.advanceTimersByTime(5000);
    expect(log).toEqual(["b: shutting down"]);
  });
});
