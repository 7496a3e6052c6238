import { afterEach, describe, expect, it, vi } from "vitest";
import { BackendLifecycle } from "../../src/backend/backend-lifecycle.js";
import type { BackendState } from "../../src/backend/backend-types.js";
import type { Connection, ConnectionEnd } from "../../src/backend/connector.js";
import type { Logger } from "../../src/log/logger.js";

function lifecycle(options: { maxAttempts?: number; initial?: "starting" | "disabled" } = {}) {
  const states: string[] = [];
  const logs: string[] = [];
  const logger: Logger = { debug: () => undefined, info: () => undefined, warn: (m) => logs.push(`warn ${m}`), error: (m) => logs.push(`error ${m}`) };
  let retries = 0;
  const life = new BackendLifecycle({
    label: 'backend "b"',
    logger,
    restart: { maxAttempts: options.maxAttempts ?? 2, initialDelayMs: 100, maxDelayMs: 1000 },
    stableAfterMs: 10_000,
    initial: options.initial ?? "starting",
    changed: (state: BackendState, previous: BackendState) => states.push(`${previous}→${state}`),
    retry: () => retries++,
  });
  return { life, states, logs, retries: () => retries };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("BackendLifecycle", () => {
  it("starts, restarts after a doubling delay, and gives up once the budget is spent", () => {
    vi.useFakeTimers();
    const { life, states, logs, retries } = lifecycle();
    const first = life.begin();
    expect(life.state).toBe("starting");
    life.fail(first, "exited with code 1 during startup");
    expect([life.state, life.lastError]).toEqual(["restarting", "exited with code 1 during startup"]);
    expect(logs.at(-1)).toBe('warn backend "b" exited with code 1 during startup; restarting in 100ms (attempt 1 of 2)');
    vi.advanceTimersByTime(99);
    expect(retries()).toBe(0);
    vi.advanceTimersByTime(1);
    expect([retries(), life.restarts]).toEqual([1, 1]);
    const second = life.begin();
    life.fail(second, "exited with code 1 during startup");
    expect(logs.at(-1)).toMatch(/restarting in 200ms \(attempt 2 of 2\)$/);
    vi.advanceTimersByTime(200);
    life.fail(life.begin(), "exited with code 1 during startup");
    expect(life.state).toBe("failed");
    expect(logs.at(-1)).toMatch(/^error backend "b" exited with code 1 during startup; giving up after 2 restart attempts/);
    expect(states).toEqual(["starting→restarting", "restarting→failed"]);
  });

  it("ignores what a superseded generation reports, and a permanent failure is not retried", () => {
    vi.useFakeTimers();
    const { life, retries } = lifecycle();
    const first = life.begin();
    life.ready();
    expect([life.isReady(first), life.lastError]).toEqual([true, null]);
    life.interrupted("exited with code 1");
    expect([life.state, life.isReady(first), life.isCurrent(first)]).toEqual(["restarting", false, true]);
    life.fail(first, "exited with code 1");
    life.fail(first, "a late report of the same connection");
    expect(life.lastError).toBe("exited with code 1");
    vi.advanceTimersByTime(100);
    expect(retries()).toBe(1);
    life.fail(life.begin(), "answered 401", undefined, true);
    expect(life.state).toBe("failed");
    vi.advanceTimersByTime(10_000);
    expect(retries()).toBe(1);
  });

  it("names how a ready connection ended, or stops one that closed its output but runs on", async () => {
    const { life, logs } = lifecycle();
    const generation = life.begin();
    life.ready();
    life.interrupted("its connection ended");
    const end: ConnectionEnd = { description: "exited with code 3" };
    await life.restartAfterEnd(generation, undefined, end);
    expect(life.lastError).toBe("exited with code 3");

    const other = life.begin();
    life.ready();
    life.interrupted("its connection ended");
    let stopped = 0;
    const connection = { ended: new Promise<ConnectionEnd>(() => undefined), stop: async () => void stopped++ } as unknown as Connection;
    await life.restartAfterEnd(other, connection);
    expect(stopped).toBe(1);
    expect(life.lastError).toBe("closed its output but kept running (it was stopped)");
    expect(logs).toContain('warn backend "b" closed its output but is still running; stopping it');
    life.stop();
  });

  it("stop supersedes everything and cancels a pending restart; a disabled backend stays disabled until stopped", () => {
    vi.useFakeTimers();
    const { life, retries } = lifecycle();
    life.fail(life.begin(), "exited with code 1");
    expect(life.stop()).toBe("restarting");
    vi.advanceTimersByTime(10_000);
    expect([retries(), life.state, life.stop()]).toEqual([0, "stopped", undefined]);
    const disabled = lifecycle({ initial: "disabled" }).life;
    expect(disabled.state).toBe("disabled");
    expect(disabled.stop()).toBe("disabled");
  });
});
