import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SUITES, judgeNotScored, readBaseline, suiteNamed } from "./suites.mjs";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "sb-suites-"));
  vi.spyOn(console, "log").mockImplementation(() => {});
});
afterEach(() => vi.restoreAllMocks());

function baseline(text: string): string {
  const file = join(dir, `baseline-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(file, text);
  return file;
}

/** A results folder as the suite writes it with --output-dir. */
function saved(scenario: string, statuses: string[]): string {
  const out = join(dir, "results");
  const folder = join(out, `server-${scenario}-2026-01-02T03-04-05-678Z`);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, "checks.json"), JSON.stringify(statuses.map((status, i) => ({ id: `c${i}`, status }))));
  return out;
}

describe("expected-failures files", () => {
  it("reads the server list, skipping comments, other sections and empty lists", () => {
    expect(readBaseline(baseline("# note\nserver:\n  # group\n  - ping # why\n  - tools-list\nclient:\n  - initialize\n"))).toEqual(["ping", "tools-list"]);
    expect(readBaseline(baseline("server: []\n"))).toEqual([]);
  });

  it("every shipped baseline parses and lists only known scenario names", () => {
    for (const suite of Object.values(SUITES)) {
      for (const name of readBaseline(suite.baseline)) expect(name).toMatch(/^[a-z0-9-]+$/);
    }
  });
});

describe("not-scored scenarios of a requirements run", () => {
  it("the alpha's 2025-11-25 set leaves exactly these to us", () => {
    expect(suiteNamed("next").notScored().sort()).toEqual(["json-schema-2020-12", "server-session-lifecycle", "server-sse-polling"]);
    expect(() => suiteNamed("0.2")).toThrow(/unknown conformance suite "0.2"; use one of: 0.1.16, next, modern/);
  });

  it("the alpha's 2026-07-28 set leaves the tasks extension, json-schema-2020-12 and the header scenarios to us", () => {
    const names = suiteNamed("modern").notScored();
    expect(names).toEqual(expect.arrayContaining(["tasks-lifecycle", "json-schema-2020-12", "http-header-validation", "http-custom-header-server-validation"]));
    expect(names.every((name) => name.startsWith("tasks-") || ["json-schema-2020-12", "http-header-validation", "http-custom-header-server-validation"].includes(name))).toBe(true);
  });

  it("a failing one outside the baseline fails the run", () => {
    expect(judgeNotScored(["server-sse-polling"], saved("server-sse-polling", ["SUCCESS", "FAILURE"]), baseline("server: []\n"), "")).toBe(1);
  });

  it("a warning counts as a failure, as in the suite's own check", () => {
    expect(judgeNotScored(["server-sse-polling"], saved("server-sse-polling", ["WARNING"]), baseline("server: []\n"), "")).toBe(1);
    expect(judgeNotScored(["server-sse-polling"], saved("server-sse-polling", ["WARNING"]), baseline("server:\n  - server-sse-polling\n"), "")).toBe(0);
  });

  it("a listed one that passes is a stale entry and fails the run", () => {
    expect(judgeNotScored(["json-schema-2020-12"], saved("json-schema-2020-12", ["SUCCESS", "INFO"]), baseline("server:\n  - json-schema-2020-12\n"), "")).toBe(1);
  });

  it("passing and unlisted, or scored by the suite itself: nothing to say", () => {
    const out = saved("json-schema-2020-12", ["SUCCESS"]);
    saved("prompts-list", ["FAILURE"]);
    expect(judgeNotScored(["json-schema-2020-12"], out, baseline("server: []\n"), "")).toBe(0);
  });
});
