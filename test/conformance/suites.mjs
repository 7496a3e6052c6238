// The two installed versions of the official MCP conformance suite and how
// to run their server scenarios against a URL, judged against an
// expected-failures baseline: a listed scenario that passes, or an unlisted
// one that fails, fails the run. Shared by run-conformance.mjs (through the
// switchboard) and run-direct.mjs (the fixture alone).
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
/** The repository root. */
export const ROOT = here("../../");
const REQUIREMENTS = "2025-11-25";
const MODERN_REQUIREMENTS = "2026-07-28";

/**
 * name → { entry, all: arguments for a full run, one(scenario): arguments
 * for a single scenario, baseline: default expected-failures file,
 * notScored(): scenarios the suite runs without holding them to the baseline }.
 */
export const SUITES = {
  "0.1.16": {
    entry: join(ROOT, "node_modules/@modelcontextprotocol/conformance/dist/index.js"),
    // "all" adds the pending scenarios (json-schema-2020-12, server-sse-polling).
    all: ["--suite", "all"],
    one: (scenario) => ["--scenario", scenario],
    baseline: here("./expected-failures.yml"),
    notScored: () => [],
  },
  next: {
    entry: join(ROOT, "node_modules/conformance-next/dist/index.js"),
    // What 2025-11-25 requires, at the 2025-11-25 wire; --requirements refuses
    // --scenario, so one scenario runs at that wire with --spec-version.
    all: ["--requirements", REQUIREMENTS],
    one: (scenario) => ["--scenario", scenario, "--spec-version", REQUIREMENTS],
    baseline: here("./expected-failures-next.yml"),
    // With --requirements the suite leaves its not_scored scenarios
    // (json-schema-2020-12, server-sse-polling, server-session-lifecycle)
    // out of the baseline check; we hold them to it ourselves.
    notScored: () => notScoredServerScenarios(join(ROOT, `node_modules/conformance-next/requirements/${REQUIREMENTS}.yaml`)),
  },
  // The same alpha with what 2026-07-28 (the modern era) requires, at that wire.
  modern: {
    entry: join(ROOT, "node_modules/conformance-next/dist/index.js"),
    all: ["--requirements", MODERN_REQUIREMENTS],
    one: (scenario) => ["--scenario", scenario, "--spec-version", MODERN_REQUIREMENTS],
    baseline: here("./expected-failures-modern.yml"),
    // What 2026-07-28 requires of the switchboard, not of the fixture (a
    // legacy server): run-direct.mjs leaves it out unless asked by name.
    direct: false,
    // Its not_scored server scenarios (the tasks extension, json-schema-2020-12,
    // the header-validation scenarios) are held to the baseline too.
    notScored: () => notScoredServerScenarios(join(ROOT, `node_modules/conformance-next/requirements/${MODERN_REQUIREMENTS}.yaml`)),
  },
};

/** The suite named `name`, or an error that lists the known ones. */
export function suiteNamed(name) {
  const suite = SUITES[name];
  if (!suite) throw new Error(`unknown conformance suite "${name}"; use one of: ${Object.keys(SUITES).join(", ")}`);
  return suite;
}

/**
 * Run `suiteName`'s server scenarios against `url` (all of them, or
 * `scenario`), passing its output through with `prefix` on every line.
 * Resolves { code, total } where total is the suite's "Total: …" line and
 * code is 0 only when every result matches `baseline`.
 */
export async function runSuite({ suiteName, url, baseline, scenario, extraArgs = [], timeoutMs = 240_000, prefix = "" }) {
  const suite = suiteNamed(suiteName);
  const outputDir = mkdtempSync(join(tmpdir(), "switchboard-conformance-results-"));
  const selection = scenario === undefined ? suite.all : suite.one(scenario);
  const child = spawn(
    process.execPath,
    ["--import", here("./node20-register.mjs"), suite.entry, "server", "--url", url, "--expected-failures", baseline, "--output-dir", outputDir, ...selection, ...extraArgs],
    { stdio: ["ignore", "pipe", "inherit"], cwd: ROOT },
  );
  // If this process goes first (a signal, a test timeout), the suite goes too.
  const killChild = () => child.kill("SIGKILL");
  process.once("exit", killChild);
  let total = "";
  let partial = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      process.stdout.write(`${prefix}${line}\n`);
      if (/^Total: \d+ passed, \d+ failed/.test(line)) total = line;
    }
  });
  const timer = setTimeout(() => {
    console.error(`${prefix}conformance suite ${suiteName} still running after ${timeoutMs} ms; stopping it`);
    child.kill("SIGKILL");
  }, timeoutMs);
  const [code, signal] = await new Promise((resolve) => child.once("exit", (c, s) => resolve([c, s])));
  clearTimeout(timer);
  process.off("exit", killChild);
  if (partial) process.stdout.write(`${prefix}${partial}\n`);
  try {
    const judged = scenario === undefined ? judgeNotScored(suite.notScored(), outputDir, baseline, prefix) : 0;
    return { code: (code ?? (signal ? 1 : 0)) || judged, total };
  } finally {
    rmSync(outputDir, { recursive: true, force: true });
  }
}

/**
 * Hold `names` to the baseline from the checks the suite saved in
 * `outputDir` (a WARNING counts as a failure, as in the suite's own check).
 * Prints any mismatch; returns 1 on a mismatch, else 0.
 */
export function judgeNotScored(names, outputDir, baseline, prefix) {
  if (names.length === 0) return 0;
  const listed = new Set(readBaseline(baseline));
  const unexpected = [];
  const stale = [];
  for (const [name, checks] of savedResults(outputDir)) {
    if (!names.includes(name)) continue;
    const failed = checks.some((c) => c.status === "FAILURE" || c.status === "WARNING");
    if (failed && !listed.has(name)) unexpected.push(name);
    if (!failed && listed.has(name)) stale.push(name);
  }
  for (const name of unexpected) console.log(`${prefix}✗ not-scored scenario failed but is not in ${baseline}: ${name}`);
  for (const name of stale) console.log(`${prefix}✓ not-scored scenario passes but is listed in ${baseline} (stale baseline entry): ${name}`);
  if (unexpected.length === 0 && stale.length === 0) console.log(`${prefix}Not-scored scenarios match the baseline too: ${names.join(", ")}`);
  return unexpected.length + stale.length > 0 ? 1 : 0;
}

/** scenario → checks, from the suite's `server-<scenario>-<timestamp>/checks.json` folders. */
function savedResults(outputDir) {
  const results = new Map();
  for (const entry of readdirSync(outputDir)) {
    const match = /^server-(.+)-\d{4}-\d\d-\d\dT[\d-]+Z$/.exec(entry);
    if (match) results.set(match[1], JSON.parse(readFileSync(join(outputDir, entry, "checks.json"), "utf8")));
  }
  return results;
}

/** The scenario names under `server:` in an expected-failures file (a flat YAML list). */
export function readBaseline(file) {
  const names = [];
  let inServer = false;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (/^\S/.test(line)) inServer = /^server:\s*(#.*)?$/.test(line);
    const item = /^\s+-\s+([^\s#]+)/.exec(line);
    if (inServer && item) names.push(item[1]);
  }
  return names;
}

/** The server scenarios a requirements file lists under not_scored. */
function notScoredServerScenarios(file) {
  const text = readFileSync(file, "utf8");
  const section = text.slice(text.indexOf("\nnot_scored:"));
  return [...section.matchAll(/- scenario: (\S+)\s+leg: server/g)].map((m) => m[1]);
}
