import { describe, expect, it } from "vitest";
import { ReplayBudget, ReplayLog } from "../../../src/front/http/replay-log.js";

const text = (n: number, size = 100): string => `${n}:`.padEnd(size, "x");

describe("ReplayLog", () => {
  it("replays the events after a sequence number, oldest first", () => {
    const log = new ReplayLog(10_000, new ReplayBudget(100_000));
    for (let i = 1; i <= 5; i++) log.add(i, text(i), "message");
    expect(log.after(3)).toEqual([text(4), text(5)]);
    expect(log.after(0)).toHaveLength(5);
    expect(log.after(5)).toEqual([]);
  });

  it("over its bound lets go of the oldest advisory events first, then other messages, never responses", () => {
    const budget = new ReplayBudget(1_000_000);
    const log = new ReplayLog(1000, budget);
    log.add(1, text(1), "message");
    log.add(2, text(2), "response");
    for (let i = 3; i <= 100; i++) log.add(i, text(i), "advisory");
    expect(log.size).toBeLessThanOrEqual(1000);
    expect(log.after(0)).toContain(text(1));
    expect(log.after(0)).toContain(text(2));
    expect(log.after(0).at(-1)).toBe(text(100));
    for (let i = 101; i <= 120; i++) log.add(i, text(i), "response");
    // Only responses are left, over the bound: they are kept.
    expect(log.after(0).every((t) => Number(String(t).split(":")[0]) === 2 || Number(String(t).split(":")[0]) > 100)).toBe(true);
    expect(log.length).toBe(21);
    expect(budget.used).toBe(log.size);
  });

  it("shares the session's budget: over it, a log trims itself and tells the session; clear gives its bytes back", () => {
    const budget = new ReplayBudget(1000);
    let told = 0;
    budget.onOver = () => told++;
    const a = new ReplayLog(10_000, budget);
    const b = new ReplayLog(10_000, budget);
    for (let i = 1; i <= 8; i++) a.add(i, text(i), "advisory");
    for (let i = 1; i <= 8; i++) b.add(i, text(i), "response");
    expect(budget.used).toBe(a.size + b.size);
    expect(told).toBeGreaterThan(0); // responses alone took the session over: the session decides
    a.add(9, text(9), "advisory"); // the next event of a trims a until the session is within its bound
    expect(budget.used).toBeLessThanOrEqual(1000);
    expect(a.size).toBeLessThanOrEqual(200);
    a.clear();
    b.clear();
    expect(budget.used).toBe(0);
  });
});
