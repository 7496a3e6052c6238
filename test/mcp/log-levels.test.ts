import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ErrorCode, JsonRpcError } from "../../src/jsonrpc/errors.js";
import {
  compareLogLevels,
  isLogLevel,
  LOG_LEVELS,
  logLevelRank,
  mostVerbose,
  parseSetLevelParams,
  shouldDeliver,
  type LogLevel,
} from "../../src/mcp/log-levels.js";

const level = fc.constantFrom(...LOG_LEVELS);

describe("log levels", () => {
  it("orders the RFC 5424 severities from debug to emergency", () => {
    expect(LOG_LEVELS).toEqual(["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"]);
    expect(logLevelRank("debug")).toBe(0);
    expect(logLevelRank("emergency")).toBe(7);
    expect(compareLogLevels("warning", "error")).toBeLessThan(0);
    expect(compareLogLevels("alert", "critical")).toBeGreaterThan(0);
    expect(compareLogLevels("info", "info")).toBe(0);
  });

  it("knows the levels exactly", () => {
    for (const l of LOG_LEVELS) expect(isLogLevel(l)).toBe(true);
    for (const bad of ["DEBUG", "warn", "", "trace", 3, null, undefined, "constructor", "toString"]) expect(isLogLevel(bad)).toBe(false);
  });

  it("picks the most verbose level a backend must be set to", () => {
    expect(mostVerbose([])).toBeUndefined();
    expect(mostVerbose(["error", "info", "warning"])).toBe("info");
    expect(mostVerbose(new Set<LogLevel>(["emergency"]))).toBe("emergency");
  });

  it("delivers a message at or above the client's level", () => {
    expect(shouldDeliver("error", "warning")).toBe(true);
    expect(shouldDeliver("warning", "warning")).toBe(true);
    expect(shouldDeliver("info", "warning")).toBe(false);
    expect(shouldDeliver("debug", undefined)).toBe(true);
    expect(shouldDeliver("verbose", "emergency")).toBe(true);
  });

  it("parses logging/setLevel params, refusing anything else with -32602", () => {
    expect(parseSetLevelParams({ level: "notice" })).toBe("notice");
    for (const params of [undefined, null, {}, { level: "WARN" }, { level: 4 }, "debug"]) {
      expect(() => parseSetLevelParams(params)).toThrow(JsonRpcError);
    }
    try {
      parseSetLevelParams({ level: "WARN" });
    } catch (error) {
      expect((error as JsonRpcError).code).toBe(ErrorCode.InvalidParams);
      expect((error as JsonRpcError).message).toBe(
        'Invalid params: logging/setLevel got "WARN"; level must be one of debug, info, notice, warning, error, critical, alert, emergency',
      );
    }
    expect(() => parseSetLevelParams({})).toThrow(/got no level/);
  });

  it("property: a message reaches every client whose level it meets, under the backend's most verbose level", () => {
    fc.assert(
      fc.property(fc.array(level, { minLength: 1, maxLength: 6 }), level, (clients, message) => {
        const backend = mostVerbose(clients) as LogLevel;
        for (const client of clients) expect(compareLogLevels(backend, client)).toBeLessThanOrEqual(0);
        expect(clients).toContain(backend);
        // Whatever a client wants, the backend (at the most verbose level) lets it through.
        for (const client of clients) if (shouldDeliver(message, client)) expect(shouldDeliver(message, backend)).toBe(true);
        // shouldDeliver agrees with the order.
        for (const client of clients) expect(shouldDeliver(message, client)).toBe(compareLogLevels(message, client) >= 0);
      }),
    );
  });
});
