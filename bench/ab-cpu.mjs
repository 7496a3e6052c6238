#!/usr/bin/env node
// CPU per call of two builds' stdio and HTTP fronts, interleaved, the same
// lean client and echo backend: node bench/ab-cpu.mjs BASE_MAIN NEW_MAIN.
// A quicker A/B than the whole benchmark when one change is in question.
// AB_FRONTS (default "stdio,http"; "modern": the HTTP front's stateless
// 2026-07-28 calls), AB_CALLS per measured run, AB_ROUNDS.
import { serverCpuUs, throughput } from "./measure.mjs";
import { HttpClient, StdioClient } from "./lean-clients.mjs";
import { ECHO, killAll, spawnServer, stopServer, switchboardConfig } from "./targets.mjs";

const [baseMain, newMain] = process.argv.slice(2);
if (!baseMain || !newMain) {
  console.error("usage: node bench/ab-cpu.mjs <base dist/main.js> <new dist/main.js>");
  process.exit(2);
}
const CALLS = Number(process.env.AB_CALLS ?? 20_000);
const ROUNDS = Number(process.env.AB_ROUNDS ?? 3);

async function stdio(main) {
  const client = new StdioClient(process.execPath, [main, switchboardConfig({ echo: [ECHO] }), "--stdio"]);
  await client.initialize();
  for (let i = 0; i < 50 && (await client.request("tools/list", {})).tools.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
  return { client, pid: client.pid, stop: () => client.close() };
}

async function http(main, modern = false) {
  const { proc, url } = spawnServer(process.execPath, [main, switchboardConfig({ echo: [ECHO] }), "--port", "0"]);
  const client = new HttpClient(await url, 256, { modern });
  await client.initialize();
  for (let i = 0; i < 50 && (await client.request("tools/list", {})).tools.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
  return { client, pid: proc.pid, stop: async () => (await client.close(), await stopServer(proc)) };
}

const results = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const [front, start] of [["stdio", stdio], ["http", http], ["modern", (main) => http(main, true)]].filter(([name]) => (process.env.AB_FRONTS ?? "stdio,http").includes(name))) {
    for (const [build, main] of round % 2 ? [["new", newMain], ["base", baseMain]] : [["base", baseMain], ["new", newMain]]) {
      const target = await start(main);
      const call = (i) => target.client.callTool("proxy.echo.echo", { text: `m${i}` });
      await throughput(call, 32, 5_000);
      const cpu = await serverCpuUs(target.pid, () => throughput(call, 32, CALLS));
      (results[`${front} ${build}`] ??= []).push(Math.round(cpu / CALLS));
      await target.stop();
    }
  }
}
for (const [name, values] of Object.entries(results)) console.log(`${name.padEnd(12)} CPU µs/call at 32 in flight: ${values.join(", ")}`);
killAll();
