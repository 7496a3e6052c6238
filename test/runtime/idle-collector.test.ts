import { afterEach, describe, expect, it } from "vitest";
import { IDLE_AFTER_MS, IdleCollector } from "../../src/runtime/idle-collector.js";

const MB = 1024 * 1024;
const collectors: IdleCollector[] = [];
afterEach(() => {
  for (const collector of collectors.splice(0)) collector.stop();
});

/** A collector over a fake process: activity counter, RSS, clock and gc are ours. */
function fake(startRss = 50 * MB) {
  const state = { activity: 0, rss: startRss, clock: 0, gcs: 0, freedPerGc: 0 };
  const collector = new IdleCollector(() => state.activity, {
    intervalMs: 3_600_000, // the test ticks by hand
    memory: () => state.rss,
    now: () => state.clock,
    collect: () => {
      state.gcs++;
      state.rss -= Math.min(state.freedPerGc, state.rss - startRss);
    },
  });
  collectors.push(collector);
  const quietTicks = (count: number) => {
    for (let i = 0; i < count; i++) {
      state.clock += IDLE_AFTER_MS;
      collector.tick();
    }
  };
  return { state, collector, quietTicks };
}

describe("IdleCollector", () => {
  it("runs a spell of collections after a burst that grew memory, once quiet", () => {
    const { state, quietTicks, collector } = fake();
    state.activity = 5000;
    state.rss += 60 * MB;
    state.freedPerGc = 15 * MB;
    collector.tick(); // sees the activity
    expect(state.gcs).toBe(0);
    quietTicks(10);
    expect(state.gcs).toBe(5);
    expect(state.rss).toBe(50 * MB);
    // Quiet afterwards: no more collections.
    quietTicks(10);
    expect(state.gcs).toBe(5);
  });

  it("leaves a process alone when activity allocated little (an interactive client)", () => {
    const { state, quietTicks, collector } = fake();
    for (let call = 0; call < 20; call++) {
      state.activity++;
      state.rss += 100 * 1024;
      collector.tick();
      quietTicks(3);
    }
    expect(state.gcs).toBe(0);
  });

  it("never collects while requests keep coming, and abandons a spell when they resume", () => {
    const { state, quietTicks, collector } = fake();
    state.rss += 64 * MB;
    for (let i = 0; i < 10; i++) {
      state.activity++;
      state.clock += 500;
      collector.tick();
    }
    expect(state.gcs).toBe(0);
    quietTicks(2);
    expect(state.gcs).toBe(2);
    state.activity++;
    collector.tick(); // activity: the spell is abandoned
    state.clock += IDLE_AFTER_MS / 2;
    collector.tick(); // not quiet long enough yet
    expect(state.gcs).toBe(2);
    quietTicks(6); // quiet again, RSS still high: a new spell of five
    expect(state.gcs).toBe(7);
  });

  it("measures the next growth from where the last spell left RSS", () => {
    const { state, quietTicks, collector } = fake();
    state.rss += 40 * MB; // nothing collectable: it stays
    state.activity++;
    collector.tick();
    quietTicks(6);
    expect(state.gcs).toBe(5);
    state.activity++;
    state.rss += 8 * MB; // less than 16 MiB over the new level
    collector.tick();
    quietTicks(6);
    expect(state.gcs).toBe(5);
  });

  it("does nothing when no collector is available", () => {
    const state = { rss: 10 * MB, clock: 0 };
    const collector = new IdleCollector(() => 1, { intervalMs: 3_600_000, memory: () => state.rss, now: () => state.clock, collect: null });
    collectors.push(collector);
    state.rss += 100 * MB;
    state.clock += 10_000;
    collector.tick();
    expect(collector.collections).toBe(0);
  });
});
