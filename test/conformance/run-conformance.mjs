#!/usr/bin/env node
// `npm run conformance`: the official MCP conformance suite (server
// scenarios, over Streamable HTTP) against the switchboard's HTTP front with
// the conformance backend behind it, mounted un-prefixed. Starts and stops
// everything it needs; ends with the suite's own "Total: N passed, M failed".
// Runs `--suite all` (the active scenarios plus the pending ones, such as
// json-schema-2020-12 and server-sse-polling). Extra arguments go to the suite
// (e.g. `--scenario tools-list`). Exit code: the suite's (0 when every result
// matches the expected-failures baseline).
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const ROOT = here("../../");
const SUITE = join(ROOT, "node_modules/@modelcontextprotocol/conformance/dist/index.js");
const TIMEOUT_MS = Number(process.env.CONFORMANCE_TIMEOUT_MS ?? 240_000);

const dir = mkdtempSync(join(tmpdir(), "switchboard-conformance-"));
const config = join(dir, "config.json");
writeFileSync(
  config,
  JSON.stringify({
    logLevel: "warn",
    servers: { conformance: { type: "stdio", command: process.execPath, args: [join(ROOT, "fixtures/conformance-backend.mjs")], prefix: false } },
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

const suite = spawn(
  process.execPath,
  ["--import", here("./node20-register.mjs"), SUITE, "server", "--url", url, "--expected-failures", here("./expected-failures.yml"), "--suite", "all", ...process.argv.slice(2)],
  { stdio: ["inherit", "pipe", "inherit"], cwd: ROOT },
);
// Pass the suite's output through, and keep its summary line to say it last.
let total = "";
let partial = "";
suite.stdout.setEncoding("utf8");
suite.stdout.on("data", (chunk) => {
  process.stdout.write(chunk);
  partial += chunk;
  const lines = partial.split("\n");
  partial = lines.pop() ?? "";
  for (const line of lines) if (/^Total: \d+ passed, \d+ failed/.test(line)) total = line;
});
const timer = setTimeout(() => {
  console.error(`conformance suite still running after ${TIMEOUT_MS} ms; stopping it`);
  suite.kill("SIGKILL");
}, TIMEOUT_MS);
const [code, signal] = await new Promise((resolve) => suite.once("exit", (c, s) => resolve([c, s])));
clearTimeout(timer);
const stopped = new Promise((resolve) => (switchboard.exitCode !== null ? resolve() : switchboard.once("exit", resolve)));
stop();
await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 10_000))]);
// The last line, after the switchboard's shutdown log: the suite's own summary.
if (total) console.log(total);
process.exitCode = code ?? (signal ? 1 : 0);
