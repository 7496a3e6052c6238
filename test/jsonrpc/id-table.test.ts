import { describe, expect, it } from "vitest";
import { IdTable } from "../../src/jsonrpc/id-table.js";

describe("IdTable", () => {
  it("issues ids, finds and removes their values, and never issues an id twice", () => {
    const table = new IdTable<string>();
    const a = table.add("a");
    const b = table.add("b");
    expect(a).toBeGreaterThan(0);
    expect(b).not.toBe(a);
    expect(table.get(a)).toBe("a");
    expect(table.size).toBe(2);
    expect(table.delete(a)).toBe(true);
    expect(table.delete(a)).toBe(false);
    expect(table.get(a)).toBeUndefined();
    // The freed slot is reused under a new id: the old id still finds nothing.
    const c = table.add("c");
    expect(c).not.toBe(a);
    expect(table.get(a)).toBeUndefined();
    expect(table.get(c)).toBe("c");
    expect([...table.valuesInOrder()].sort()).toEqual(["b", "c"]);
    for (const id of [0, -1, 0.5, 2 ** 60, Number.NaN]) {
      expect(table.get(id)).toBeUndefined();
      expect(table.delete(id)).toBe(false);
    }
    expect(table.size).toBe(2);
  });

  it("may be changed while walked, and cleared", () => {
    const table = new IdTable<number>();
    const ids = [1, 2, 3, 4].map((n) => table.add(n));
    const seen: number[] = [];
    for (const value of table.valuesInOrder()) {
      seen.push(value);
      table.delete(ids[value - 1] as number);
    }
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(table.size).toBe(0);
    const again = table.add(5);
    table.clear();
    expect(table.size).toBe(0);
    expect(table.get(again)).toBeUndefined();
    expect(ids.includes(table.add(6))).toBe(false);
  });

  it("counts ids up like a counter, around values held long, and keeps finding them as it grows", () => {
    const table = new IdTable<string>();
    const kept = new Map<number, string>();
    const issued = new Set<number>();
    for (let i = 0; i < 3000; i++) {
      const id = table.add(`v${i}`);
      expect(issued.has(id)).toBe(false);
      issued.add(id);
      // One value in ten stays for good (the table grows past them); the others leave at once.
      if (i % 10 === 0) kept.set(id, `v${i}`);
      else expect(table.delete(id)).toBe(true);
    }
    expect(table.size).toBe(kept.size);
    for (const [id, value] of kept) expect(table.get(id)).toBe(value);
    // Skipping the slots of held values (at most half of them) at most doubles the count.
    expect(Math.max(...issued)).toBeLessThan(2 * 3000);
  });
});
