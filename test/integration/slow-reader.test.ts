import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { request, type ClientRequest, type IncomingMessage } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { fixture, MAIN } from "../helpers/paths.js";
import { descendants, rss, waitFor } from "../helpers/procfs.js";
import { jsonHeaders, openSession } from "../helpers/raw-http.js";
import { startHttpSwitchboard, writeConfig, type SwitchboardProcess } from "../helpers/switchboard-process.js";

const MB = 1024 * 1024;
const FLOOD = 200_000;
/** RSS growth allowed while a reader is stuck; unbounded, 200k × 1 KB of progress grew it by ~800 MB. */
const GROWTH_LIMIT = 150 * MB;

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

const config = () => writeConfig({ servers: { flood: { type: "stdio", command: process.execPath, args: [fixture("flood-backend")] } } });

const floodCall = (id: number, count: number) => ({
  jsonrpc: "2.0",
  id,
  method: "tools/call",
  params: { name: "proxy.flood.flood", arguments: { count, bytes: 1024 }, _meta: { progressToken: `p${id}` } },
});

/**
 * Watch RSS of `pid` until `done` resolves; fails as soon as it grows past
 * `limit` over `base` (a run without the bound would otherwise take long).
 */
async function peakWhile(pid: number, base: number, limit: number, done: Promise<unknown>): Promise<number> {
  let finished = false;
  let failure: unknown;
  done.then(
    () => (finished = true),
    (error: unknown) => (failure = error),
  );
  let peak = rss(pid);
  while (!finished) {
    if (failure !== undefined) throw failure;
    peak = Math.max(peak, rss(pid));
    if (peak - base > limit) throw new Error(`RSS grew by ${Math.round((peak - base) / MB)} MB, more than ${limit / MB} MB`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return Math.max(peak, rss(pid));
}

/** Wait until RSS of `pid` is within `slack` of `base` (the idle collector runs ~2 s after activity stops). */
async function settlesNear(pid: number, base: number, slack: number): Promise<number> {
  let now = rss(pid);
  const deadline = Date.now() + 20_000;
  while (now - base > slack && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    now = rss(pid);
  }
  return now;
}

/** POST `body` asking for SSE and never read the answer: the response is left paused. */
function stuckPost(sb: SwitchboardProcess, session: string, body: unknown): { req: ClientRequest; response: Promise<IncomingMessage> } {
  const target = new URL(sb.url);
  let req!: ClientRequest;
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: "POST",
        headers: jsonHeaders({ "Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-06-18" }),
        agent: false,
      },
      (res) => {
        res.pause();
        resolve(res);
      },
    );
    req.on("error", reject);
  });
  req.end(JSON.stringify(body));
  return { req, response };
}

interface SseEvents {
  progress: number[];
  final: { id: number; result?: { content: Array<{ text: string }> } } | undefined;
}

/** Read a paused SSE response to its end, keeping progress values and the final response. */
function readSse(res: IncomingMessage): Promise<SseEvents> {
  const events: SseEvents = { progress: [], final: undefined };
  let partial = "";
  res.setEncoding("utf8");
  return new Promise((resolve, reject) => {
    res.on("data", (chunk: string) => {
      partial += chunk;
      let end: number;
      while ((end = partial.indexOf("\n\n")) !== -1) {
        const event = partial.slice(0, end);
        partial = partial.slice(end + 2);
        const data = event.split("\n").find((line) => line.startsWith("data: "));
        if (data === undefined) continue;
        const message = JSON.parse(data.slice(6)) as { method?: string; params?: { progress: number }; id?: number };
        if (message.method === "notifications/progress") events.progress.push(message.params!.progress);
        else if (message.id !== undefined) events.final = message as SseEvents["final"];
      }
    });
    res.on("end", () => resolve(events));
    res.on("error", reject);
    res.resume();
  });
}

describe("a client that does not read its answer while a backend floods progress", () => {
  it("HTTP: memory stays bounded, is given back when the client hangs up, and a slow reader still gets the last progress and its answer", async () => {
    const sb = await startHttpSwitchboard(config());
    cleanups.push(() => sb.stop());
    const pid = sb.proc.pid!;
    const session = await openSession(sb.url);
    // Warm up (the first SSE answer, the backend's first flood), then take the baseline.
    const warm = stuckPost(sb, session, floodCall(1, 100));
    expect((await readSse(await warm.response)).final?.result?.content[0]?.text).toBe("flooded 100");
    const base = rss(pid);

    // A reader that never reads, then hangs up: 200k progress of 1 KB pass by.
    const stuck = stuckPost(sb, session, floodCall(2, FLOOD));
    cleanups.push(async () => stuck.req.destroy());
    await stuck.response;
    await peakWhile(pid, base, GROWTH_LIMIT, sb.waitForLog(new RegExp(`\\[flood\\] flooded ${FLOOD}`), 60_000));
    stuck.req.destroy();
    expect((await settlesNear(pid, base, 60 * MB)) - base).toBeLessThanOrEqual(60 * MB);

    // A reader that is slow (it reads only once the flood is over): it gets the
    // newest progress (coalesced, not every one) and then its answer.
    const slow = stuckPost(sb, session, floodCall(3, 50_000));
    const res = await slow.response;
    await peakWhile(pid, base, GROWTH_LIMIT, sb.waitForLog(/\[flood\] flooded 50000/, 60_000));
    const events = await readSse(res);
    expect(events.final?.id).toBe(3);
    expect(events.final?.result?.content[0]?.text).toBe("flooded 50000");
    expect(events.progress.at(-1)).toBe(50_000);
    expect(events.progress.length).toBeLessThan(50_000);
    // Progress arrives in order even when coalesced.
    expect(events.progress.every((value, index) => index === 0 || value > events.progress[index - 1]!)).toBe(true);
  }, 120_000);

  it("stdio: memory stays bounded while the client does not read, and it then gets the last progress and its answer", async () => {
    const proc: ChildProcessWithoutNullStreams = spawn(process.execPath, [MAIN, config(), "--stdio"], { stdio: ["pipe", "pipe", "pipe"] });
    cleanups.push(async () => proc.kill("SIGKILL"));
    const stderr: string[] = [];
    proc.stderr.setEncoding("utf8");
    proc.stderr.on("data", (chunk: string) => stderr.push(chunk));
    await waitFor(() => descendants(proc.pid!).length >= 1 && stderr.join("").includes("ready"), 10_000, "backend up");
    const lines: string[] = [];
    let partial = "";
    proc.stdout.setEncoding("utf8");
    const onData = (chunk: string): void => {
      partial += chunk;
      const parts = partial.split("\n");
      partial = parts.pop()!;
      lines.push(...parts);
    };
    proc.stdout.on("data", onData);
    const send = (message: unknown): boolean => proc.stdin.write(JSON.stringify(message) + "\n");
    send({ jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } } });
    send({ jsonrpc: "2.0", method: "notifications/initialized" });
    send(floodCall(1, 100));
    await waitFor(() => lines.some((line) => line.includes('"id":1')), 10_000, "the warm-up answer");
    await new Promise((resolve) => setTimeout(resolve, 300));
    const base = rss(proc.pid!);

    proc.stdout.pause();
    send(floodCall(2, FLOOD));
    const flooded = new Promise<void>((resolve) => {
      const check = (): void => {
        if (stderr.join("").includes(`flooded ${FLOOD}`)) resolve();
        else setTimeout(check, 25);
      };
      check();
    });
    await peakWhile(proc.pid!, base, GROWTH_LIMIT, flooded);
    lines.length = 0;
    proc.stdout.resume();
    await waitFor(() => lines.some((line) => line.includes('"id":2')), 30_000, "the flood's answer");
    const progress = lines
      .map((line) => JSON.parse(line) as { method?: string; params?: { progress: number } })
      .filter((message) => message.method === "notifications/progress")
      .map((message) => message.params!.progress);
    expect(progress.at(-1)).toBe(FLOOD);
    expect(progress.length).toBeLessThan(FLOOD);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ id: 2, result: { content: [{ text: `flooded ${FLOOD}` }] } });
    // The slow reader is reported once per episode (when it has caught up), not once per message.
    const warnings = () => stderr.join("").split("\n").filter((line) => /slow to read/.test(line));
    await waitFor(() => warnings().length >= 1, 5000, "the slow-reader warning");
    expect(warnings().length).toBeLessThan(100);
  }, 120_000);
});
