#!/usr/bin/env node
// The HTTP front's two eras side by side, nothing else: one switchboard each,
// the same lean client speaking 2025-11-25 with a session or 2026-07-28
// statelessly, interleaved rounds of 32 calls in flight; server CPU per call
// (backend included) and calls/s, with their ratios. A focused companion of
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
  running[name] = { target, call, cpu: [], rate: [] };
}
for (let round = 0; round < ROUNDS; round++) {
  for (const name of round % 2 === 0 ? names : [...names].reverse()) {
    const entry = running[name];
    await throughput(entry.call, 32, 1000);
    let rate = NaN;
    const cpu = await serverCpuUs(entry.target.pid, async () => (rate = await throughput(entry.call, 32, CALLS)));
    entry.cpu.push(cpu / CALLS);
    entry.rate.push(rate);
  }
}
const [legacy, modern] = names.map((name) => running[name]);
for (const name of names) {
  const entry = running[name];
  console.log(`${TARGETS[name].label.padEnd(48)} CPU ${median(entry.cpu).toFixed(0)} µs/call, ${median(entry.rate).toFixed(0)} calls/s @32`);
}
console.log(`2026-07-28 stateless / 2025-11-25 session: CPU per call ${(median(modern.cpu) / median(legacy.cpu)).toFixed(2)}×, calls/s ${(median(modern.rate) / median(legacy.rate)).toFixed(2)}× (median of ${ROUNDS} interleaved rounds)`);
for (const { target } of Object.values(running)) await target.stop().catch(() => undefined);
killAll();
