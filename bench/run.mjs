#!/usr/bin/env node
// npm run bench: the switchboard side by side with the direct backend, a bare
// node:http floor and two existing front-ends, in one interleaved run, with
// the same lean client and the same echo backend. Prints a table and the
// target checks (as ratios) and writes bench/results.json.
// BENCH_QUICK=1 for a short run.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { Client as ModernClient, StreamableHTTPClientTransport as ModernHttpTransport } from "@modelcontextprotocol/client";
import { latency, median, rssMb, serverCpuUs, throughput, until } from "./measure.mjs";
import { checkTargets, machine, table } from "./report.mjs";
import { bigList, readiness } from "./scenarios.mjs";
import { killAll, ROOT, spawnServer, stopServer, TARGETS } from "./targets.mjs";

const QUICK = process.env.BENCH_QUICK === "1";
const N = QUICK
  ? { warm: 200, burst: 2000, latency: 400, at32: 3000, at256: 6000, rounds: 2, settleMs: 15_000 }
  : { warm: 500, burst: 3000, latency: 1500, at32: 10_000, at256: 20_000, rounds: 3, settleMs: 20_000 };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (line) => process.stderr.write(`${line}\n`);

async function main() {
  const names = Object.keys(TARGETS);
  const running = {};
  const rows = {};
  for (const name of names) {
    const spec = TARGETS[name];
    rows[name] = { name, label: spec.label, peer: Boolean(spec.peer), lat: [], p99: [], at32: [], at256: [], cpu32: [] };
    try {
      log(`starting ${name}`);
      const target = await spec.start();
      const call = (i) => target.client.callTool(target.tool, { text: `m${i}` });
      // Warm up to steady state (JIT-compiled hot paths, grown heap), also
      // under concurrency: a gateway runs for days, so cold code is not what
      // we compare. Not recorded.
      for (let i = 0; i < N.warm; i++) await call(i);
      await throughput(call, 32, N.at32);
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
        // Every target sat idle while the others ran; a short unrecorded
        // burst brings it back to steady state (see README: after a quiet
        // spell the first second of load costs more CPU per call).
        await throughput(call, 32, N.burst);
        const lat = await latency(call, N.latency);
        rows[name].lat.push(lat.medianUs);
        rows[name].p99.push(lat.p99Us);
        let at32 = NaN;
        const cpu = await serverCpuUs(running[name].target.pid, async () => (at32 = await throughput(call, 32, N.at32)));
        rows[name].at32.push(at32);
        rows[name].cpu32.push(cpu / N.at32);
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
    sdkRows.push({ name, client: "official SDK v1, 2025-11-25 session", medianUs: lat.medianUs, p99Us: lat.p99Us, callsPerSec32: at32 });
    await client.close();
  }
  // The official SDK v2 client pinned to 2026-07-28 (stateless calls) beside
  // the v1 client's session row above, on the same switchboard.
  if (running["switchboard-http"]?.target.url) {
    const client = new ModernClient({ name: "bench-sdk-v2", version: "1" }, { versionNegotiation: { mode: { pin: "2026-07-28" } } });
    await client.connect(new ModernHttpTransport(new URL(running["switchboard-http"].target.url)));
    const tool = running["switchboard-http"].target.tool;
    const call = (i) => client.callTool({ name: tool, arguments: { text: `v${i}` } });
    for (let i = 0; i < N.warm / 2; i++) await call(i);
    const lat = await latency(call, N.latency / 3);
    const at32 = await throughput(call, 32, N.at32 / 3);
    sdkRows.push({ name: "switchboard-http", client: "official SDK v2, 2026-07-28 (stateless)", medianUs: lat.medianUs, p99Us: lat.p99Us, callsPerSec32: at32 });
    await client.close();
  }
  for (const { target } of Object.values(running)) await target.stop().catch(() => undefined);
  log("measuring a remote official-SDK server with the official SDK client: direct, through a bare relay, through us");
  const sdkRemote = await sdkRemoteLatency(Math.round(N.latency / 2), N.rounds);

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
          cpuUsPerCall: median(row.cpu32),
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
  const sdkLine = (row) => `${row.name.padEnd(20)} ${row.client.padEnd(40)} p50 ${row.medianUs.toFixed(0)} µs, p99 ${row.p99Us.toFixed(0)} µs, ${row.callsPerSec32.toFixed(0)} calls/s @32`;
  const out = [
    `mcp-switchboard benchmark — ${machine().cpu}, ${machine().cores} cores, ${machine().memoryGb} GB, Node ${process.version}, ${machine().date.slice(0, 10)}${QUICK ? " (quick)" : ""}`,
    `lean client (node:http keep-alive / raw NDJSON), echo backend fixture, median of ${N.rounds} interleaved rounds`,
    "",
    table(Object.values(results).map((r) => ({ ...r }))),
    "",
    "official SDK client:",
    ...sdkRows.map(sdkLine),
    sdkRemoteLine(sdkRemote),
    "",
    "readiness (spawn → tools/list shows every tool; in-process start() vs slowest backend's own start):",
    ...ready.map((r) => `  ${String(r.backends).padStart(2)} backends: first full tools/list ${r.firstFullListMs.toFixed(0)} ms; start() ${r.allReadyMs.toFixed(0)} ms, slowest backend ${r.slowestBackendStartMs.toFixed(0)} ms, overhead ${r.overheadMs.toFixed(0)} ms (a bare loop of ${r.backends} spawns: ${r.spawnLoopMs.toFixed(0)} ms)`),
    `tools/list with ${list.tools} tools through the HTTP front: median ${list.medianMs.toFixed(1)} ms, max ${list.maxMs.toFixed(1)} ms (of which the client's JSON.parse ≈ ${list.clientParseMs.toFixed(1)} ms)`,
    "",
    "targets (ratios from this run):",
    ...targets.map((t) => `  ${t.pass ? "PASS" : "MISS"}  ${t.name}: ${t.value} (limit ${t.limit})`),
    "",
    "context (not targets):",
    ...contextLines(results, ready),
  ].join("\n");
  console.log(out);
  writeFileSync(new URL("./results.json", import.meta.url), JSON.stringify({ machine: machine(), quick: QUICK, counts: N, targets: results, sdk: sdkRows, sdkRemote, readiness: ready, toolsList10k: list, checks: targets, table: out }, null, 2) + "\n");
}

/**
 * The remote row as users meet it: the official v1 SDK client calling a
 * remote server built with the official v1 SDK (bench/sdk-http-server.mjs)
 * directly, through a bare node:http relay (the two-hop floor) and through
 * the switchboard's HTTP front; p50 at one call in flight, interleaved rounds.
 */
async function sdkRemoteLatency(calls, rounds) {
  const remote = spawnServer(process.execPath, [join(ROOT, "bench/sdk-http-server.mjs")]);
  const remoteUrl = await remote.url;
  const relay = spawnServer(process.execPath, [join(ROOT, "bench/bare-http-relay.mjs"), remoteUrl]);
  const dir = mkdtempSync(join(tmpdir(), "switchboard-bench-"));
  const file = join(dir, "config.json");
  writeFileSync(file, JSON.stringify({ logLevel: "warn", servers: { echo: { type: "http", url: remoteUrl } } }));
  const ours = spawnServer(process.execPath, [join(ROOT, "dist/main.js"), file, "--port", "0"]);
  const paths = { direct: [remoteUrl, "echo"], relay: [await relay.url, "echo"], switchboard: [await ours.url, "proxy.echo.echo"] };
  const p50 = { direct: [], relay: [], switchboard: [] };
  try {
    for (let round = 0; round < rounds; round++) {
      const names = Object.keys(paths);
      for (const name of names.map((_, i) => names[(i + round) % names.length])) {
        const [url, tool] = paths[name];
        const client = new Client({ name: "bench-sdk", version: "1" });
        await client.connect(new StreamableHTTPClientTransport(new URL(url)));
        if (name === "switchboard") await until(async () => (await client.listTools()).tools.some((t) => t.name === tool), 10_000);
        const call = (i) => client.callTool({ name: tool, arguments: { text: `r${i}` } });
        for (let i = 0; i < 200; i++) await call(i);
        p50[name].push((await latency(call, calls)).medianUs);
        await client.close();
      }
    }
  } finally {
    for (const proc of [ours.proc, relay.proc, remote.proc]) await stopServer(proc);
  }
  return { directUs: median(p50.direct), relayUs: median(p50.relay), switchboardUs: median(p50.switchboard) };
}

function sdkRemoteLine(row) {
  const x = (us) => `${us.toFixed(0)} µs (${(us / row.directUs).toFixed(2)}× direct)`;
  return `remote official-SDK server (bench/sdk-http-server.mjs), official SDK v1 client, p50: direct ${row.directUs.toFixed(0)} µs, bare relay ${x(row.relayUs)}, through us ${x(row.switchboardUs)}`;
}

/** Ratios that explain the targets: each front against the floor of its own kind. */
function contextLines(results, ready) {
  const r = (a, b) => (Number.isFinite(a / b) ? (a / b).toFixed(2) : "n/a");
  const relay = results["byte-relay"];
  const stdio = results["switchboard-stdio"];
  const direct = results.direct;
  const http = results["switchboard-http"];
  const modern = results["switchboard-http-modern"];
  const bare = results["bare-http"];
  const remote = results["switchboard-remote"];
  const hops = results["http-relay"];
  const fifty = ready.find((x) => x.backends === 50);
  return [
    `  remote row (p50 at one call in flight): a bare node:http relay, two hops and no parsing, is ${r(hops?.medianUs, bare?.medianUs)}× bare-http; through us ${r(remote?.medianUs, hops?.medianUs)}× that relay; CPU per call at 32 ${r(remote?.cpuUsPerCall, hops?.cpuUsPerCall)}× the relay's`,
    `  byte relay median vs direct: ${r(relay?.medianUs, direct?.medianUs)}×; stdio front vs byte relay: ${r(stdio?.medianUs, relay?.medianUs)}×`,
    `  CPU per call at 32 in flight (server side, backends included): stdio front ${r(stdio?.cpuUsPerCall, direct?.cpuUsPerCall)}× direct, HTTP front ${r(http?.cpuUsPerCall, bare?.cpuUsPerCall)}× bare node:http`,
    `  HTTP front, 2026-07-28 stateless vs 2025-11-25 session (lean client): calls/s@32 ${r(modern?.callsPerSec32, http?.callsPerSec32)}×, CPU per call ${r(modern?.cpuUsPerCall, http?.cpuUsPerCall)}×, p50 ${r(modern?.medianUs, http?.medianUs)}×`,
    `  50 backends: start() overhead ${fifty ? fifty.overheadMs.toFixed(0) : "n/a"} ms vs a bare loop of 50 spawns ${fifty ? fifty.spawnLoopMs.toFixed(0) : "n/a"} ms`,
  ];
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(killAll);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(130));
