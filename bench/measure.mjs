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
