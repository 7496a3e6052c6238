import { once } from "node:events";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { spawnChild, stopChild } from "../../src/backend/child-process.js";
import { forwardStderr } from "../../src/backend/stderr-lines.js";

afterEach(() => {
  vi.useRealTimers();
});

const SUMMARY = /^(\d+) stderr lines? suppressed in the last (\d+\.\d) s/;

/** A stream, its forwarded lines, and a clock the test moves. */
function harness(limits: Parameters<typeof forwardStderr>[2] = {}) {
  const stream = new PassThrough();
  const lines: string[] = [];
  const clock = { ms: 1_000_000 };
  forwardStderr(stream, (line) => lines.push(line), { now: () => clock.ms, ...limits });
  return { stream, lines, clock };
}

function numbered(from: number, count: number): string {
  let text = "";
  for (let i = from; i < from + count; i++) text += `line ${i}\n`;
  return text;
}

/** Total suppressed according to the summaries among `lines`. */
function suppressed(lines: string[]): number {
  return lines.reduce((sum, line) => sum + Number(SUMMARY.exec(line)?.[1] ?? 0), 0);
}

async function ended(stream: PassThrough, text?: string): Promise<void> {
  const done = once(stream, "end");
  stream.end(text);
  stream.resume();
  await done;
}

describe("forwardStderr", () => {
  it("forwards lines whole, however the bytes are chunked", async () => {
    const { stream, lines } = harness();
    const text = Buffer.from("héllo wörld\r\n\n   \nsecond ✓ line\nno newline at the end");
    for (let i = 0; i < text.length; i += 3) stream.write(text.subarray(i, i + 3));
    await ended(stream);
    expect(lines).toEqual(["héllo wörld", "second ✓ line", "no newline at the end"]);
  });

  it("reports an oversized line once and resynchronises", async () => {
    const { stream, lines } = harness({ maxLineBytes: 16 });
    stream.write("short\n" + "x".repeat(10));
    stream.write("x".repeat(10) + "\nafter\n");
    await ended(stream);
    expect(lines).toEqual(["short", "(a stderr line over 16 bytes was skipped)", "after"]);
  });

  it("logs a burst, then suppresses, and says how many at the end of the stream", async () => {
    const { stream, lines, clock } = harness({ burstLines: 10, linesPerSecond: 2 });
    stream.write(numbered(0, 50));
    clock.ms += 1500;
    await ended(stream);
    expect(lines.slice(0, 10)).toEqual(numbered(0, 10).trim().split("\n"));
    expect(lines.slice(10)).toEqual(["40 stderr lines suppressed in the last 1.5 s (more than 2 lines/s after a burst of 10)"]);
  });

  it("refills at the configured rate, and summarises before the next line once the interval is over", async () => {
    const { stream, lines, clock } = harness({ burstLines: 5, linesPerSecond: 4, summaryIntervalMs: 1000 });
    stream.write(numbered(0, 20)); // 5 logged, 15 suppressed
    clock.ms += 500; // 2 tokens
    stream.write(numbered(20, 10)); // 20, 21 logged (the interval is not over), 8 suppressed
    clock.ms += 600; // 2.4 tokens, interval over
    stream.write(numbered(30, 10));
    await ended(stream);
    expect(lines).toEqual([
      ...["line 0", "line 1", "line 2", "line 3", "line 4"],
      "line 20",
      "line 21",
      "23 stderr lines suppressed in the last 1.1 s (more than 4 lines/s after a burst of 5)",
      "line 30",
      "line 31",
      "8 stderr lines suppressed in the last 0.0 s (more than 4 lines/s after a burst of 5)",
    ]);
  });

  it("summarises on a timer when the stream goes quiet", () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const { stream, lines, clock } = harness({ burstLines: 2, linesPerSecond: 1, summaryIntervalMs: 5000 });
    stream.write(numbered(0, 7));
    expect(lines).toEqual(["line 0", "line 1"]);
    clock.ms += 5000;
    vi.advanceTimersByTime(5000);
    expect(lines).toEqual(["line 0", "line 1", "5 stderr lines suppressed in the last 5.0 s (more than 1 lines/s after a burst of 2)"]);
    vi.advanceTimersByTime(60_000);
    expect(lines).toHaveLength(3);
  });

  it("keeps 200k lines to a bounded number of log calls, and counts every one", async () => {
    const { stream, lines, clock } = harness();
    const chunks: Buffer[] = [];
    for (let i = 0; i < 200_000; i += 1000) chunks.push(Buffer.from(numbered(i, 1000)));
    let logged = 0;
    const decode = vi.spyOn(Buffer.prototype, "toString");
    for (const chunk of chunks) {
      stream.write(chunk);
      clock.ms += 10; // 200k lines over 2 s
    }
    await ended(stream);
    // Suppressed lines are counted, never decoded.
    expect(decode.mock.calls.length).toBeLessThan(1000);
    decode.mockRestore();
    for (const line of lines) if (!SUMMARY.test(line)) logged++;
    // A burst of 100, then 20 lines/s over the 1.99 s between the first chunk and the last; one summary, at the end.
    expect(logged).toBe(100 + 39);
    expect(lines.length - logged).toBe(1);
    expect(logged + suppressed(lines)).toBe(200_000);
  });

  it("bounds what a real backend flooding its stderr costs in log calls", async () => {
    const flood = "const batch = ('x'.repeat(80) + '\\n').repeat(1000); for (let i = 0; i < 200; i++) process.stderr.write(batch);";
    const child = spawnChild({ command: process.execPath, args: ["-e", flood], env: {} });
    const lines: string[] = [];
    const started = performance.now();
    forwardStderr(child.stderr, (line) => lines.push(line));
    await once(child.stderr, "end");
    const seconds = (performance.now() - started) / 1000;
    await stopChild(child);
    const logged = lines.filter((line) => !SUMMARY.test(line)).length;
    expect(logged).toBeLessThanOrEqual(100 + Math.ceil(20 * seconds) + 1);
    expect(logged + suppressed(lines)).toBe(200_000);
  });
});
