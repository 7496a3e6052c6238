import { describe, expect, it } from "vitest";
import { Roster } from "../../src/jsonrpc/roster.js";

const member = (name: string) => ({ name, rosterIndex: -1 });

describe("Roster", () => {
  it("adds, finds and removes members by identity, keeping each member's index", () => {
    const roster = new Roster<ReturnType<typeof member>>();
    const [a, b, c] = [member("a"), member("b"), member("c")];
    roster.add(a);
    roster.add(b);
    roster.add(c);
    roster.add(b);
    expect(roster.size).toBe(3);
    expect(roster.delete(a)).toBe(true);
    expect(roster.delete(a)).toBe(false);
    expect(a.rosterIndex).toBe(-1);
    expect(roster.has(a)).toBe(false);
    // The last member moved into the gap, and knows it.
    expect(roster.has(c)).toBe(true);
    expect(roster.delete(c)).toBe(true);
    expect(roster.snapshot()).toEqual([b]);
    expect(roster.any()).toBe(b);
    expect(roster.find((m) => m.name === "b")).toBe(b);
    expect(roster.find((m) => m.name === "c")).toBeUndefined();
  });

  it("does not mistake a member of another roster for one of its own", () => {
    const first = new Roster<ReturnType<typeof member>>();
    const second = new Roster<ReturnType<typeof member>>();
    const [a, b] = [member("a"), member("b")];
    first.add(a);
    second.add(b);
    expect(second.has(a)).toBe(false);
    expect(second.delete(a)).toBe(false);
    expect(first.has(a)).toBe(true);
  });

  it("may be changed while a snapshot is walked", () => {
    const roster = new Roster<ReturnType<typeof member>>();
    const all = ["a", "b", "c", "d"].map(member);
    for (const m of all) roster.add(m);
    for (const m of roster.snapshot()) roster.delete(m);
    expect(roster.size).toBe(0);
    expect(all.every((m) => m.rosterIndex === -1)).toBe(true);
  });
});
