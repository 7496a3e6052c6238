import { describe, expect, it } from "vitest";
import { describeExit, formatMs, unavailableReason } from "../../src/backend/exit-report.js";
import { restartDelay } from "../../src/backend/restart-policy.js";

describe("restartDelay", () => {
  it("doubles from the initial delay, caps, and gives up after maxAttempts", () => {
    const policy = { maxAttempts: 5, initialDelayMs: 500, maxDelayMs: 3000 };
    expect([1, 2, 3, 4, 5, 6].map((n) => restartDelay(policy, n))).toEqual([500, 1000, 2000, 3000, 3000, undefined]);
    expect(restartDelay({ ...policy, maxAttempts: 0 }, 1)).toBeUndefined();
  });
});

describe("exit reports", () => {
  it("say how a child ended and why a backend is unavailable", () => {
    expect(describeExit({ code: 1, signal: null })).toBe("exited with code 1");
    expect(describeExit({ code: null, signal: "SIGKILL" })).toBe("was killed by SIGKILL");
    expect(unavailableReason("restarting", "exited with code 1")).toBe("is restarting after: exited with code 1");
    expect(unavailableReason("failed", null)).toBe("failed and will not be restarted (last error: unknown)");
    expect(unavailableReason("disabled", null)).toBe("is disabled in the config");
    expect(formatMs(250)).toBe("250ms");
    expect(formatMs(2000)).toBe("2s");
    expect(formatMs(1500)).toBe("1.5s");
  });
});
