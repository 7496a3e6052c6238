import { describe, expect, it } from "vitest";
import { Emitter } from "../../src/events/emitter.js";

interface Events {
  changed: [kind: string, count: number];
  other: [];
}

function make() {
  const reported: Array<{ error: unknown; event: string }> = [];
  const emitter = new Emitter<Events>((error, event) => void reported.push({ error, event }));
  return { emitter, reported };
}

describe("Emitter", () => {
  it("calls listeners in order with the event's arguments", () => {
    const { emitter } = make();
    const seen: string[] = [];
    emitter.on("changed", (kind, count) => void seen.push(`a:${kind}:${count}`));
    emitter.on("changed", (kind) => void seen.push(`b:${kind}`));
    emitter.emit("changed", "tools", 2);
    emitter.emit("other");
    expect(seen).toEqual(["a:tools:2", "b:tools"]);
  });

  it("a listener that throws is reported and the others still run", () => {
    const { emitter, reported } = make();
    const seen: string[] = [];
    emitter.on("changed", () => {
      throw new Error("listener broke");
    });
    emitter.on("changed", () => void seen.push("second"));
    expect(() => emitter.emit("changed", "tools", 1)).not.toThrow();
    expect(seen).toEqual(["second"]);
    expect(reported).toHaveLength(1);
    expect(reported[0]!.event).toBe("changed");
    expect((reported[0]!.error as Error).message).toBe("listener broke");
  });

  it("a listener whose promise rejects is reported", async () => {
    const { emitter, reported } = make();
    emitter.on("other", async () => {
      throw new Error("async broke");
    });
    emitter.emit("other");
    await new Promise((resolve) => setImmediate(resolve));
    expect((reported[0]?.error as Error | undefined)?.message).toBe("async broke");
  });

  it("a reporter that throws does not escape emit", () => {
    const emitter = new Emitter<Events>(() => {
      throw new Error("reporter broke");
    });
    emitter.on("other", () => {
      throw new Error("listener broke");
    });
    expect(() => emitter.emit("other")).not.toThrow();
  });

  it("unsubscribes; changes during an emit apply from the next one", () => {
    const { emitter } = make();
    const seen: string[] = [];
    let offB: () => void = () => undefined;
    const offA = emitter.on("other", () => {
      seen.push("a");
      offB();
      emitter.on("other", () => void seen.push("late"));
    });
    offB = emitter.on("other", () => void seen.push("b"));
    emitter.emit("other");
    expect(seen).toEqual(["a"]);
    offA();
    offA();
    emitter.emit("other");
    expect(seen).toEqual(["a", "late"]);
    expect(emitter.listenerCount("other")).toBe(1);
    expect(emitter.listenerCount()).toBe(1);
  });
});
