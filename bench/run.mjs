#!/usr/bin/env node
// npm run bench: the switchboard side by side with the direct backend, a bare
// node:http floor and two existing front-ends, in one interleaved run, with
// the same lean client and the same echo backend. Prints a table and the
// target checks (as ratios) and writes bench/results.json.
// BENCH_QUICK=1 for a short run.
import { writeFileSync } from "node:fs";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { latency, median, rssMb, throughput } from "./measure.mjs";
import { checkTargets, machine, table } from "./report.mjs";
import { bigList, readiness } from "./scenarios.mjs";
import { killAll, TARGETS } from "./targets.mjs";

const QUICK = process.env.BENCH_QUICK === "1";
const N = QUICK
  ? { warm: 200, latency: 400, at32: 3000, at256: 6000, rounds: 2, settleMs: 15_000 }
  : { warm: 500, latency: 1500, at32: 10_000, at256: 20_000, rounds: 3, settleMs: 20_000 };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (line) => process.stderr.write(`${line}\n`);

async function main() {
  const names = Object.keys(TARGETS);
  const running = {};
  const rows = {};
  for (const name of names) {
    const spec = TARGETS[name];
    rows[name] = { name, label: spec.label, peer: Boolean(spec.peer), lat: [], p99: [], at32: [], at256: [] };
    try {
      log(`starting ${name}`);
      const target = await spec.start();
      const call = (i) => target.client.callTool(target.tool, { text: `m${i}` });
      for (let i = 0; i < N.warm; i++) await call(i);
      running[name] = { target, call };
    } catch (error) {
      rows[name].error = String(error.message ?? error).split("\n")[0];
      log(`  ${name} could not start: ${rows[name].error}`);
    }
  }
  await sleep(1000);
  for (const [name, { target }] of Object.entries(running)) rows[name].rssIdleMb = rssMb(target.pid);

  for (let round = 0; round < N.rounds; round++) {
    // Rotate the order so no target always runs first or last.
    const order = Object.keys(running).map((_, i, all) => all[(i + round) % all.length]);
    for (const name of order) {
      const { call } = running[name];
      log(`round ${round + 1}/${N.rounds}: ${name}`);
      try {
        const lat = await latency(call, N.latency);
        rows[name].lat.push(lat.medianUs);
        rows[name].p99.push(lat.p99Us);
        rows[name].at32.push(await throughput(call, 32, N.at32));
        rows[name].at256.push(await throughput(call, 256, N.at256));
      } catch (error) {
        rows[name].error = String(error.message ?? error).split("\n")[0];
        delete running[name];
      }
    }
  }
  for (const [name, { target }] of Object.entries(running)) rows[name].rssAfterLoadMb = rssMb(target.pid);
  log(`letting every front settle for ${N.settleMs / 1000} s`);
  await sleep(N.settleMs);
  for (const [name, { target }] of Object.entries(running)) rows[name].rssSettledMb = rssMb(target.pid);

  // The official SDK client as a second row, against our HTTP front and each peer.
  const sdkRows = [];
  for (const name of ["switchboard-http", "supergateway", "mcp-proxy"]) {
    if (!running[name]?.target.url) continue;
    const client = new Client({ name: "bench-sdk", version: "1" });
    await client.connect(new StreamableHTTPClientTransport(new URL(running[name].target.url)));
    const tool = running[name].target.tool;
    const call = (i) => client.callTool({ name: tool, arguments: { text: `s${i}` } });
    for (let i = 0; i < N.warm / 2; i++) await call(i);
    const lat = await latency(call, N.latency / 3);
    const at32 = await throughput(call, 32, N.at32 / 3);
    sdkRows.push({ name, client: "official SDK", medianUs: lat.medianUs, p99Us: lat.p99Us, callsPerSec32: at32 });
    await client.close();
  }
  for (const { target } of Object.values(running)) await target.stop().catch(() => undefined);

  const results = {};
  for (const row of Object.values(rows)) {
    results[row.name] = row.error && row.lat.length === 0
      ? { label: row.label, peer: row.peer, error: row.error }
      : {
          label: row.label,
          peer: row.peer,
          medianUs: median(row.lat),
          p99Us: median(row.p99),
          callsPerSec32: median(row.at32),
          callsPerSec256: median(row.at256),
          rssIdleMb: row.rssIdleMb,
          rssAfterLoadMb: row.rssAfterLoadMb,
          rssSettledMb: row.rssSettledMb,
        };
  }

  log("measuring readiness with 1, 10, 50 backends");
  const ready = [];
  for (const count of [1, 10, 50]) ready.push(await readiness(count));
  log("measuring tools/list with 10,000 tools");
  const list = await bigList();

  const targets = checkTargets(results, ready, list);
  const sdkLine = (row) => `${row.name.padEnd(20)} p50 ${row.medianUs.toFixed(0)} µs, p99 ${row.p99Us.toFixed(0)} µs, ${row.callsPerSec32.toFixed(0)} calls/s @32`;
  const out = [
    `mcp-switchboard benchmark — ${machine().cpu}, ${machine().cores} cores, ${machine().memoryGb} GB, Node ${process.version}, ${machine().date.slice(0, 10)}${QUICK ? " (quick)" : ""}`,
    `lean client (node:http keep-alive / raw NDJSON), echo backend fixture, median of ${N.rounds} interleaved rounds`,
    "",
    table(Object.values(results).map((r) => ({ ...r }))),
    "",
    "official SDK client:",
    ...sdkRows.map(sdkLine),
    "",
    "readiness (spawn → tools/list shows every tool; in-process start() vs slowest backend's own start):",
    ...ready.map((r) => `  ${String(r.backends).padStart(2)} backends: first full tools/list ${r.firstFullListMs.toFixed(0)} ms; start() ${r.allReadyMs.toFixed(0)} ms, slowest backend ${r.slowestBackendStartMs.toFixed(0)} ms, overhead ${r.overheadMs.toFixed(0)} ms`),
    `tools/list with ${list.tools} tools through the HTTP front: median ${list.medianMs.toFixed(1)} ms, max ${list.maxMs.toFixed(1)} ms`,
    "",
    "targets (ratios from this run):",
    ...targets.map((t) => `  ${t.pass ? "PASS" : "MISS"}  ${t.name}: ${t.value} (limit ${t.limit})`),
  ].join("\n");
  console.log(out);
  writeFileSync(new URL("./results.json", import.meta.url), JSON.stringify({ machine: machine(), quick: QUICK, counts: N, targets: results, sdk: sdkRows, readiness: ready, toolsList10k: list, checks: targets, table: out }, null, 2) + "\n");
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(killAll);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(130));
