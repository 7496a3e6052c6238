// Turns measurements into the printed table, the target checks and results.json.
import { cpus, totalmem } from "node:os";

const fmt = (value, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : "n/a");
const pad = (text, width) => String(text).padEnd(width);
const padL = (text, width) => String(text).padStart(width);

/** The machine the numbers come from. */
export function machine() {
  return { cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version, date: new Date().toISOString() };
}

/** One row per target. */
export function table(rows) {
  const header = `${pad("target", 42)}${padL("p50 µs", 9)}${padL("p99 µs", 9)}${padL("calls/s@32", 12)}${padL("calls/s@256", 13)}${padL("CPU µs/call", 13)}${padL("RSS idle", 10)}${padL("after", 8)}${padL("settled", 9)}`;
  const lines = [header, "-".repeat(header.length)];
  for (const row of rows) {
    if (row.error) {
      lines.push(`${pad(row.label, 42)} failed: ${row.error}`);
      continue;
    }
    lines.push(
      `${pad(row.label, 42)}${padL(fmt(row.medianUs), 9)}${padL(fmt(row.p99Us), 9)}${padL(fmt(row.callsPerSec32), 12)}${padL(fmt(row.callsPerSec256), 13)}${padL(fmt(row.cpuUsPerCall), 13)}${padL(fmt(row.rssIdleMb, 1), 10)}${padL(fmt(row.rssAfterLoadMb, 1), 8)}${padL(fmt(row.rssSettledMb, 1), 9)}`,
    );
  }
  return lines.join("\n");
}

/** Check the targets; each entry says PASS or MISS with the numbers behind it. */
export function checkTargets(byName, readiness, bigList) {
  const sb = byName["switchboard-http"];
  const stdio = byName["switchboard-stdio"];
  const direct = byName.direct;
  const bare = byName["bare-http"];
  const remote = byName["switchboard-remote"];
  const modern = byName["switchboard-http-modern"];
  const peers = Object.values(byName).filter((row) => row.peer && !row.error);
  const best = (key, pick) => (peers.length ? pick(...peers.map((p) => p[key])) : NaN);
  const bestPeer32 = best("callsPerSec32", Math.max);
  const bestPeer256 = best("callsPerSec256", Math.max);
  const bestPeerLatency = best("medianUs", Math.min);
  const bestPeerIdle = best("rssIdleMb", Math.min);
  const fifty = readiness.find((r) => r.backends === 50);
  const checks = [
    ["HTTP calls/s@32 ≥ 2.5× best peer", sb.callsPerSec32 / bestPeer32, 2.5, ">="],
    ["HTTP calls/s@256 ≥ 2.5× best peer", sb.callsPerSec256 / bestPeer256, 2.5, ">="],
    ["HTTP calls/s@32 ≥ 0.7× bare node:http", sb.callsPerSec32 / bare.callsPerSec32, 0.7, ">="],
    ["HTTP calls/s@256 ≥ 0.7× bare node:http", sb.callsPerSec256 / bare.callsPerSec256, 0.7, ">="],
    ["HTTP median latency ≤ 0.5× best peer", sb.medianUs / bestPeerLatency, 0.5, "<="],
    ["remote HTTP backend: median latency through us ≤ 1.3× direct (bare-http)", remote && !remote.error ? remote.medianUs / bare.medianUs : NaN, 1.3, "<="],
    ["HTTP 2026-07-28 stateless CPU per call ≤ 1.1× legacy session call", modern && !modern.error ? modern.cpuUsPerCall / sb.cpuUsPerCall : NaN, 1.1, "<="],
    ["stdio median latency ≤ 2× direct", stdio.medianUs / direct.medianUs, 2, "<="],
    ["stdio calls/s@32 ≥ 0.4× direct", stdio.callsPerSec32 / direct.callsPerSec32, 0.4, ">="],
    ["stdio calls/s@256 ≥ 0.4× direct", stdio.callsPerSec256 / direct.callsPerSec256, 0.4, ">="],
    ["HTTP idle RSS ≤ 0.5× best peer's", sb.rssIdleMb / bestPeerIdle, 0.5, "<="],
    ["HTTP RSS after load settles within 20% of idle", sb.rssSettledMb / sb.rssIdleMb, 1.2, "<="],
    ["50 backends ready ≤ slowest backend start + 200 ms", fifty ? fifty.overheadMs : NaN, 200, "<="],
    ["tools/list of 10,000 tools ≤ 20 ms (median)", bigList.medianMs, 20, "<="],
  ];
  return checks.map(([name, value, limit, op]) => ({
    name,
    value: Number.isFinite(value) ? Number(value.toFixed(3)) : null,
    limit,
    pass: Number.isFinite(value) && (op === ">=" ? value >= limit : value <= limit),
  }));
}
