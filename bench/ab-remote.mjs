#!/usr/bin/env node
// The remote Streamable HTTP row as an A/B: the bare-http echo server called
// directly, and through two builds' HTTP fronts with that server as their
// remote backend, interleaved, the same lean client:
//   node bench/ab-remote.mjs BASE_MAIN NEW_MAIN
// Prints p50 latency (one call in flight) and the switchboard's CPU per call
// at 32 in flight, per round, and the p50 ratio to direct. The "relay" row is
// bench/bare-http-relay.mjs in front of the same server: two HTTP hops and
// nothing else, the floor of any HTTP-to-HTTP gateway. AB_FRONT=1 adds
// the new build's front with a stdio echo backend (CPU there includes the
// backend process; for the other rows only the measured process).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpClient } from "./lean-clients.mjs";
import { latency, median, serverCpuUs, throughput, until } from "./measure.mjs";
import { ECHO, killAll, ROOT, spawnServer, stopServer, switchboardConfig } from "./targets.mjs";

const [baseMain, newMain] = process.argv.slice(2);
if (!baseMain || !newMain) {
  console.error("usage: node bench/ab-remote.mjs <base dist/main.js> <new dist/main.js>");
  process.exit(2);
}
const CALLS = Number(process.env.AB_CALLS ?? 10_000);
const LATENCY = Number(process.env.AB_LATENCY ?? 2000);
const ROUNDS = Number(process.env.AB_ROUNDS ?? 3);

// AB_REMOTE=sdk: the official SDK echo server (bench/sdk-http-server.mjs) instead of bare-http.
const remote = spawnServer(process.execPath, [join(ROOT, process.env.AB_REMOTE === "sdk" ? "bench/sdk-http-server.mjs" : "bench/bare-http-server.mjs")]);
const remoteUrl = await remote.url;

async function direct() {
  const client = new HttpClient(remoteUrl);
  await client.initialize();
  return { client, pid: remote.proc.pid, tool: "echo", stop: () => client.close() };
}

async function through(main) {
  const dir = mkdtempSync(join(tmpdir(), "switchboard-ab-remote-"));
  const file = join(dir, "config.json");
  writeFileSync(file, JSON.stringify({ logLevel: "warn", servers: { echo: { type: "http", url: remoteUrl } } }));
  const { proc, url } = spawnServer(process.execPath, [main, file, "--port", "0"]);
  const client = new HttpClient(await url);
  await client.initialize();
  await until(async () => (await client.request("tools/list", {})).tools.length > 0, 10_000);
  return { client, pid: proc.pid, tool: "proxy.echo.echo", stop: async () => (await client.close(), await stopServer(proc)) };
}

// A bare node:http relay in front of the same server (its CPU only, like the switchboard rows).
async function relay() {
  const { proc, url } = spawnServer(process.execPath, [join(ROOT, "bench/bare-http-relay.mjs"), remoteUrl]);
  const client = new HttpClient(await url);
  await client.initialize();
  return { client, pid: proc.pid, tool: "echo", stop: async () => (await client.close(), await stopServer(proc)) };
}

// The new build's HTTP front with the echo backend over stdio: what the front alone costs on this machine now.
async function front() {
  const { proc, url } = spawnServer(process.execPath, [newMain, switchboardConfig({ echo: [ECHO] }), "--port", "0"]);
  const client = new HttpClient(await url);
  await client.initialize();
  await until(async () => (await client.request("tools/list", {})).tools.length > 0, 10_000);
  return { client, pid: proc.pid, tool: "proxy.echo.echo", stop: async () => (await client.close(), await stopServer(proc)) };
}

const targets = { direct, relay, base: () => through(baseMain), new: () => through(newMain), ...(process.env.AB_FRONT === "1" ? { "front/stdio": front } : {}) };
const results = {};
for (let round = 0; round < ROUNDS; round++) {
  const names = Object.keys(targets);
  const order = names.map((_, i) => names[(i + round) % names.length]);
  for (const name of order) {
    const target = await targets[name]();
    const call = (i) => target.client.callTool(target.tool, { text: `m${i}` });
    await throughput(call, 32, 3000);
    for (let i = 0; i < 300; i++) await call(i);
    const lat = await latency(call, LATENCY);
    const cpu = await serverCpuUs(target.pid, () => throughput(call, 32, CALLS));
    const row = (results[name] ??= { p50: [], p99: [], cpu: [] });
    row.p50.push(Math.round(lat.medianUs));
    row.p99.push(Math.round(lat.p99Us));
    row.cpu.push(Math.round(cpu / CALLS));
    await target.stop();
  }
}
const directP50 = median(results.direct.p50);
for (const [name, row] of Object.entries(results)) {
  const ratio = (median(row.p50) / directP50).toFixed(2);
  console.log(`${name.padEnd(11)} p50 µs ${row.p50.join(", ")} (×${ratio} direct)  p99 µs ${row.p99.join(", ")}  CPU µs/call @32 ${row.cpu.join(", ")}`);
}
await stopServer(remote.proc);
killAll();
