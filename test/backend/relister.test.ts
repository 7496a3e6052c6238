import { describe, expect, it } from "vitest";
import { Relister } from "../../src/backend/relister.js";

/** A relister whose listings finish when the test says so. */
function controlled() {
  const finishers: Array<() => void> = [];
  const failures: unknown[] = [];
  const relister = new Relister(
    () => new Promise<void>((resolve) => finishers.push(resolve)),
    (error) => void failures.push(error),
  );
  const finishOne = async (): Promise<void> => {
    finishers.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { relister, finishers, finishOne, failures };
}

describe("Relister", () => {
  it("keeps a change announced before ready and lists once ready", () => {
    const { relister, finishers } = controlled();
    relister.changed();
    relister.changed();
    expect(finishers).toHaveLength(0);
    relister.markReady();
    expect(finishers).toHaveLength(1);
  });

  it("one listing at a time; changes during a listing earn exactly one more", async () => {
    const { relister, finishers, finishOne } = controlled();
    relister.markReady();
    relister.changed();
    relister.changed();
    relister.changed();
    expect(finishers).toHaveLength(1);
    await finishOne();
    expect(finishers).toHaveLength(1);
    await finishOne();
    expect(finishers).toHaveLength(0);
  });

  it("a failed listing is reported and a later change lists again", async () => {
    const failures: unknown[] = [];
    let calls = 0;
    const relister = new Relister(async () => {
      calls++;
      if (calls === 1) throw new Error("list failed");
    }, (error) => void failures.push(error));
    relister.markReady();
    relister.changed();
    await new Promise((resolve) => setImmediate(resolve));
    relister.changed();
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toBe(2);
    expect(failures.map((error) => (error as Error).message)).toEqual(["list failed"]);
  });

  it("an old connection's listing in flight does not hold up the new connection's", () => {
    const old = controlled();
    old.relister.markReady();
    old.relister.changed();
    const fresh = controlled();
    fresh.relister.markReady();
    fresh.relister.changed();
    expect(old.finishers).toHaveLength(1);
    expect(fresh.finishers).toHaveLength(1);
  });
});
