import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/config-error.js";
import { parseConfig } from "../../src/config/parse-config.js";

/** The MRTR bridge's settings in the proxy section. */

function issues(raw: unknown, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(raw, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => `${i.path}: ${i.message}`);
    throw error;
  }
  return [];
}

describe("proxy MRTR settings", () => {
  it("reads every key, ${VAR} substitution included, without warnings", () => {
    const { config, warnings } = parseConfig(
      {
        proxy: {
          requestStateKey: "${STATE_KEY}",
          heldCallTimeout: 60_000,
          maxHeldCalls: 10,
          maxInputRequests: 4,
          maxInputRounds: 8,
          inputBatchWindow: 0,
        },
      },
      { STATE_KEY: "0123456789abcdef0123" },
    );
    expect(warnings).toEqual([]);
    expect(config.proxy.mrtr).toEqual({
      requestStateKey: "0123456789abcdef0123",
      heldCallTimeoutMs: 60_000,
      maxHeldCalls: 10,
      maxInputRequests: 4,
      inputBatchWindowMs: 0,
    });
    expect(config.proxy.maxInputRounds).toBe(8);
  });

  it("names each bad value", () => {
    expect(issues({ proxy: { requestStateKey: "short", heldCallTimeout: 10, maxHeldCalls: 0, maxInputRequests: "many", maxInputRounds: -1, inputBatchWindow: 60_000 } })).toEqual([
      "proxy.maxInputRounds: must be a whole number from 1 to 1000",
      "proxy.heldCallTimeout: must be a whole number from 1000 to 86400000",
      "proxy.maxHeldCalls: must be a whole number from 1 to 1000000",
      "proxy.maxInputRequests: must be a whole number from 1 to 1000",
      "proxy.inputBatchWindow: must be a whole number from 0 to 10000",
      "proxy.requestStateKey: must be at least 16 characters (a long random string shared by every replica)",
    ]);
  });
});
