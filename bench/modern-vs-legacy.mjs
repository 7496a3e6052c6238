#!/usr/bin/env node
// The HTTP front's two eras side by side, nothing else: one switchboard each,
// the same lean client speaking 2025-11-25 with a session or 2026-07-28
// statelessly, interleaved rounds of 32 calls in flight; server CPU per call
// (backend included), the bench client's own CPU per call, and calls/s, with
// their ratios. On 2 cores the client competes with the server, so calls/s
// follows the sum of both CPUs, not the server's alone. A focused companion of
// `npm run bench` (whose full table has the same two rows). ROUNDS=n.
import { median, serverCpuUs, throughput } from "./measure.mjs";
import { killAll, TARGETS } from "./targets.mjs";

const ROUNDS = Number(process.env.ROUNDS ?? 6);
const CALLS = Number(process.env.CALLS ?? 6000);
const names = ["switchboard-http", "switchboard-http-modern"];
const running = {};
for (const name of names) {
  const target = await TARGETS[name].start();
  const call = (i) => target.client.callTool(target.tool, { text: `m${i}` });
  for (let i = 0; i < 500; i++) await call(i);
  await throughput(call, 32, CALLS);
  running[name] = { target, call, cpu: [], client: [], rate: [] };
}
for (let round = 0; round < ROUNDS; round++) {
  for (const name of round % 2 === 0 ? names : [...names].reverse()) {
    const entry = running[name];
    await throughput(entry.call, 32, 1000);
    let rate = NaN;
    const own = process.cpuUsage();
    const cpu = await serverCpuUs(entry.target.pid, async () => (rate = await throughput(entry.call, 32, CALLS)));
    const used = process.cpuUsage(own);
    entry.cpu.push(cpu / CALLS);
    entry.client.push((used.user + used.system) / CALLS);
    entry.rate.push(rate);
  }
}
const [legacy, modern] = names.map((name) => running[name]);
for (const name of names) {
  const entry = running[name];
  console.log(`${TARGETS[name].label.padEnd(48)} CPU ${median(entry.cpu).toFixed(0)} µs/call, client CPU ${median(entry.client).toFixed(0)} µs/call, ${median(entry.rate).toFixed(0)} calls/s @32`);
}
const ratio = (key) => (median(modern[key]) / median(legacy[key])).toFixed(2);
console.log(`2026-07-28 stateless / 2025-11-25 session: CPU per call ${ratio("cpu")}×, client CPU per call ${ratio("client")}×, calls/s ${ratio("rate")}× (median of ${ROUNDS} interleaved rounds)`);
for (const { target } of Object.values(running)) await target.stop().catch(() => undefined);
killAll();
