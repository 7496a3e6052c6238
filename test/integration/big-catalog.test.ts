import { afterEach, beforeAll, afterAll, describe, expect, it } from "vitest";
import { fixture } from "../helpers/paths.js";
import { rss } from "../helpers/procfs.js";
import { jsonHeaders, openSession, rawRequest, type RawResponse } from "../helpers/raw-http.js";
import { startHttpSwitchboard, writeConfig, type SwitchboardProcess } from "../helpers/switchboard-process.js";

const MB = 1024 * 1024;
/** 5,000 tools of ~2 KB: a catalog of about 10 MB. */
const TOOLS = 5000;

let sb: SwitchboardProcess;
beforeAll(async () => {
  const args = [fixture("many-tools-backend"), "--count", String(TOOLS), "--description-bytes", "2000", "--page-size", "500"];
  sb = await startHttpSwitchboard(writeConfig({ servers: { many: { type: "stdio", command: process.execPath, args } } }));
  await sb.waitForLog(/backend "many" ready: 5000 tools/, 20_000);
}, 30_000);
afterAll(async () => {
  await sb?.stop();
});

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

/** Fail, rather than wait for ever, when no answer comes. */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer to ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

interface Answer {
  id: number;
  result?: { tools: Array<{ name: string }> };
  error?: { code: number; message: string };
}

describe("answers over a 10 MB catalog", () => {
  it("a 2025-03-26 batch of 60 tools/list is answered: whole results up to the batch bound, a -32603 error for each beyond it", async () => {
    const session = await openSession(sb.url, "2025-03-26");
    const batch = Array.from({ length: 60 }, (_, i) => ({ jsonrpc: "2.0", id: i + 1, method: "tools/list" }));
    const res: RawResponse = await within(
      30_000,
      "the batch",
      rawRequest(sb.url, { method: "POST", headers: jsonHeaders({ "Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-03-26" }), body: JSON.stringify(batch) }),
    );
    expect(res.status).toBe(200);
    expect(Buffer.byteLength(res.body)).toBeLessThanOrEqual(64 * MB);
    const answers = JSON.parse(res.body) as Answer[];
    expect(answers.map((answer) => answer.id).sort((a, b) => a - b)).toEqual(batch.map((request) => request.id));
    const whole = answers.filter((answer) => answer.result !== undefined);
    const refused = answers.filter((answer) => answer.error !== undefined);
    expect(whole.length).toBeGreaterThanOrEqual(1);
    expect(whole.every((answer) => answer.result!.tools.length === TOOLS)).toBe(true);
    expect(refused.length).toBeGreaterThanOrEqual(40);
    for (const answer of refused) {
      expect(answer.error!.code).toBe(-32603);
      expect(answer.error!.message).toMatch(/batch's answer exceed 67108864 bytes; send this request separately/);
    }
  }, 60_000);

  it("twenty concurrent tools/list share one serialised catalog: memory stays bounded, every body is whole", async () => {
    const session = await openSession(sb.url);
    const headers = jsonHeaders({ "Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-06-18" });
    const list = (id: number): Promise<RawResponse> =>
      rawRequest(sb.url, { method: "POST", headers, body: JSON.stringify({ jsonrpc: "2.0", id, method: "tools/list" }) });
    // Warm up: the catalog's text is made on first use.
    const first = await within(30_000, "the first tools/list", list(1));
    const expected = (JSON.parse(first.body) as Answer).result!.tools.length;
    expect(expected).toBe(TOOLS);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const pid = sb.proc.pid!;
    const base = rss(pid);
    let peak = base;
    const sampler = setInterval(() => (peak = Math.max(peak, rss(pid))), 10);
    cleanups.push(async () => clearInterval(sampler));
    const answers = await within(60_000, "twenty tools/list", Promise.all(Array.from({ length: 20 }, (_, i) => list(100 + i))));
    clearInterval(sampler);
    peak = Math.max(peak, rss(pid));
    for (const [index, res] of answers.entries()) {
      expect(res.status).toBe(200);
      expect(Number(res.headers["content-length"])).toBe(Buffer.byteLength(res.body));
      const answer = JSON.parse(res.body) as Answer;
      expect(answer.id).toBe(100 + index);
      expect(answer.result!.tools.length).toBe(TOOLS);
      expect(res.body).toBe(first.body.replace('"id":1,', `"id":${100 + index},`));
    }
    // A copy of the 10 MB text per answer (joined, then encoded for the socket) made
    // ~350 MB here; sharing one Buffer makes next to nothing.
    expect(peak - base).toBeLessThan(100 * MB);
  }, 90_000);
});
