// Measurements: latency at one in flight, throughput at N in flight, RSS.
import { readFileSync } from "node:fs";

/** Resident set size of a process in MB (from /proc). */
export function rssMb(pid) {
  try {
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** A process and all its descendants (from /proc). */
export function processTree(pid) {
  const all = [pid];
  try {
    for (const task of readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/)) {
      if (task) all.push(...processTree(Number(task)));
    }
  } catch {
    // gone, or /proc without children files
  }
  return all;
}

/** CPU time (user + system) a process has used, in µs; NaN when unknown. */
export function cpuUs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    const ticksPerSecond = 100; // USER_HZ, 100 on Linux
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / ticksPerSecond;
  } catch {
    return NaN;
  }
}

/**
 * Run `work` and return the CPU µs its server side used: the target process
 * and its descendants (the front and its backends), not the client.
 */
export async function serverCpuUs(pid, work) {
  const pids = processTree(pid);
  const before = pids.map(cpuUs);
  await work();
  return pids.reduce((sum, p, i) => sum + (cpuUs(p) - before[i]), 0);
}

/** The q-quantile of numbers (0..1). */
export function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Median of numbers. */
export const median = (values) => quantile(values, 0.5);

/** Sequential calls: median and p99 latency in µs. */
export async function latency(call, count) {
  const samples = [];
  for (let i = 0; i < count; i++) {
    const t0 = process.hrtime.bigint();
    await call(i);
    samples.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  return { medianUs: median(samples), p99Us: quantile(samples, 0.99) };
}

/** `total` calls with `inFlight` concurrent workers: calls per second. */
export async function throughput(call, inFlight, total) {
  let next = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < total) await call(next++);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return total / seconds;
}

/** Poll until `check` holds or `ms` pass; returns elapsed ms, or NaN on timeout. */
export async function until(check, ms, every = 10) {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    try {
      if (await check()) return Date.now() - t0;
    } catch {
      // not yet
    }
    await new Promise((resolve) => setTimeout(resolve, every));
  }
  return NaN;
}
