#!/usr/bin/env node
// The official MCP conformance suite against the conformance fixture ALONE
// (fixtures/conformance-backend.mjs --http, no switchboard), with an empty
// baseline: every scenario must pass, warnings included. Proves the fixture
// offers everything the suite asks for, so a scenario that fails through the
// switchboard fails because of the switchboard.
//
//   node test/conformance/run-direct.mjs [--suite 0.1.16|next]   (default: both; `modern` only by name)
//
// Prints each suite's output with a "[<suite>] " prefix (the suites run at
// the same time, so their lines interleave), then one line per
// suite: "direct <suite>: Total: N passed, M failed (T s)". Exit code 0 when
// every suite passed everything.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ROOT, SUITES, runSuite, suiteNamed } from "./suites.mjs";

const { values } = parseArgs({ options: { suite: { type: "string" } } });
// By default the suites the fixture alone speaks (the modern requirements are the switchboard's: it serves the era itself).
const names = values.suite === undefined ? Object.keys(SUITES).filter((name) => SUITES[name].direct !== false) : [values.suite];
names.forEach(suiteNamed);

const empty = join(mkdtempSync(join(tmpdir(), "conformance-direct-")), "expected-failures.yml");
writeFileSync(empty, "server: []\n");

const children = new Set();
process.on("exit", () => children.forEach((child) => child.kill("SIGKILL")));
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(130));

/** Start the fixture over HTTP on a free port; resolve { url, stop() }. */
async function startFixture() {
  const child = spawn(process.execPath, [join(ROOT, "fixtures/conformance-backend.mjs"), "--http"], { stdio: ["ignore", "inherit", "pipe"] });
  children.add(child);
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const url = await new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`the conformance fixture did not listen within 10 s:\n${seen}`)), 10_000);
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk) => {
      seen += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve(match[1].replace("127.0.0.1", "localhost"));
      }
    });
    child.once("exit", (code) => reject(new Error(`the conformance fixture exited with code ${code} before listening:\n${seen}`)));
  });
  return {
    url,
    stop: async () => {
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
      children.delete(child);
    },
  };
}

// The suites run side by side, each against its own fixture: they spend
// most of their time waiting on the scenarios' own pauses.
const results = await Promise.all(
  names.map(async (name) => {
    const started = Date.now();
    const fixture = await startFixture();
    try {
      const { code, total } = await runSuite({ suiteName: name, url: fixture.url, baseline: empty, prefix: `[${name}] ` });
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      return { code, line: `direct ${name}: ${total || "no total printed"}${code === 0 ? "" : " — FAILED the empty baseline"} (${seconds} s)` };
    } finally {
      await fixture.stop();
    }
  }),
);
for (const { line } of results) console.log(line);
process.exitCode = results.some((r) => r.code !== 0) ? 1 : 0;
