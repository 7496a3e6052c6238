#!/usr/bin/env node
// `npm run conformance`: the official MCP conformance suite (server
// scenarios, over Streamable HTTP) against the switchboard's HTTP front with
// the conformance backend behind it, mounted un-prefixed. Starts and stops
// everything it needs; ends with the suite's own "Total: N passed, M failed".
//
//   --suite 0.1.16 (default)  conformance 0.1.16, `--suite all` (active + pending scenarios),
//                             baseline expected-failures.yml
//   --suite next              conformance 0.2.0-alpha.12, `--requirements 2025-11-25`,
//                             baseline expected-failures-next.yml
//   --suite modern            conformance 0.2.0-alpha.12, `--requirements 2026-07-28` (the
//                             modern era, stateless), baseline expected-failures-modern.yml;
//                             modern-diagnostics-backend.mjs, modern-mrtr-backend.mjs and
//                             modern-tasks-backend.mjs are mounted beside the fixture
//   --scenario NAME           only this scenario (for next: at the 2025-11-25 wire)
//   --expected-failures FILE  another baseline
//   --mount-prefixed          mount the backend with its name prefix, so every
//                             scenario that calls something by name fails (tests
//                             of the baseline check use it)
//   --backend-over-http       serve the conformance backend over Streamable HTTP
//                             (`conformance-backend.mjs --http`) and mount it by URL
// Other arguments go to the suite (e.g. --verbose). Exit code 0 when every
// result matches the baseline: a listed scenario that passes fails the run,
// as does an unlisted one that fails.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, runSuite, suiteNamed } from "./suites.mjs";

const options = { suite: "0.1.16", scenario: undefined, expectedFailures: undefined, prefixed: false, overHttp: false, rest: [] };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const arg = argv[i];
  if (arg === "--suite") options.suite = argv[++i];
  else if (arg === "--scenario") options.scenario = argv[++i];
  else if (arg === "--expected-failures") options.expectedFailures = argv[++i];
  else if (arg === "--mount-prefixed") options.prefixed = true;
  else if (arg === "--backend-over-http") options.overHttp = true;
  else options.rest.push(arg);
}
const suite = suiteNamed(options.suite);
const TIMEOUT_MS = Number(process.env.CONFORMANCE_TIMEOUT_MS ?? 240_000);

let backendProcess;
let backendUrl;
if (options.overHttp) {
  backendProcess = spawn(process.execPath, [join(ROOT, "fixtures/conformance-backend.mjs"), "--http"], { stdio: ["ignore", "inherit", "pipe"] });
  process.on("exit", () => backendProcess.kill("SIGKILL"));
  backendUrl = await new Promise((resolve, reject) => {
    let seen = "";
    backendProcess.stderr.setEncoding("utf8");
    backendProcess.stderr.on("data", (chunk) => {
      seen += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(seen);
      if (match) resolve(match[1]);
    });
    backendProcess.once("exit", (code) => reject(new Error(`the HTTP conformance backend exited with code ${code}:\n${seen}`)));
  });
}

const dir = mkdtempSync(join(tmpdir(), "switchboard-conformance-"));
const config = join(dir, "config.json");
writeFileSync(
  config,
  JSON.stringify({
    logLevel: "warn",
    servers: {
      ...(options.suite === "modern"
        ? {
            diagnostics: { type: "stdio", command: process.execPath, args: [join(ROOT, "test/conformance/modern-diagnostics-backend.mjs")], prefix: options.prefixed },
            mrtr: { type: "stdio", command: process.execPath, args: [join(ROOT, "test/conformance/modern-mrtr-backend.mjs")], prefix: options.prefixed },
            tasks: { type: "stdio", command: process.execPath, args: [join(ROOT, "test/conformance/modern-tasks-backend.mjs")], prefix: options.prefixed },
          }
        : {}),
      conformance: options.overHttp
        ? { type: "http", url: backendUrl, prefix: options.prefixed }
        : { type: "stdio", command: process.execPath, args: [join(ROOT, "fixtures/conformance-backend.mjs")], prefix: options.prefixed },
    },
  }),
);

const switchboard = spawn(process.execPath, [join(ROOT, "dist/main.js"), config, "--port", "0", "--log-level", "info"], { stdio: ["ignore", "inherit", "pipe"] });
let stopping = false;
const stop = () => {
  stopping = true;
  if (switchboard.exitCode === null) switchboard.kill("SIGTERM");
};
process.on("exit", stop);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(130));

const url = await new Promise((resolve, reject) => {
  let seen = "";
  const timer = setTimeout(() => reject(new Error(`the switchboard did not start within 20 s:\n${seen}`)), 20_000);
  switchboard.stderr.setEncoding("utf8");
  switchboard.stderr.on("data", (chunk) => {
    process.stderr.write(chunk.replace(/^(?=.)/gm, "[switchboard] "));
    seen += chunk;
    const match = /listening on (http:\/\/\S+)/.exec(seen);
    if (match) {
      clearTimeout(timer);
      resolve(match[1].replace("127.0.0.1", "localhost"));
    }
  });
  switchboard.once("exit", (code) => {
    if (!stopping) reject(new Error(`the switchboard exited with code ${code} before listening:\n${seen}`));
  });
});

const { code, total } = await runSuite({
  suiteName: options.suite,
  url,
  baseline: options.expectedFailures ?? suite.baseline,
  scenario: options.scenario,
  extraArgs: options.rest,
  timeoutMs: TIMEOUT_MS,
});
const stopped = new Promise((resolve) => (switchboard.exitCode !== null ? resolve() : switchboard.once("exit", resolve)));
stop();
await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
// The HTTP backend (--backend-over-http) would keep this process alive.
backendProcess?.kill("SIGTERM");
// The last line, after the switchboard's shutdown log: the suite's own summary.
if (total) console.log(total);
process.exitCode = code;
