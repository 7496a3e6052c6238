import { spawnSync } from "node:child_process";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/paths.js";

const CALLS = 8000;

/**
 * Bytes promoted to V8's old generation per call (summed from
 * --trace-gc-nvp after a warm-up) while an HttpClientTransport keeps 32
 * calls in flight against a node:http echo server in the same child process,
 * with some unrelated garbage made every 1000 calls.
 * `dist` is the build under test (the suite builds it first).
 */
function promotedPerCall(dist: string): number {
  const transport = pathToFileURL(`${dist}/transport/http-client-transport.js`).href;
  const client = pathToFileURL(`${dist}/transport/http-client.js`).href;
  const script = `
    const { createServer } = await import("node:http");
    const { HttpClientTransport } = await import(${JSON.stringify(transport)});
    const { createAgent } = await import(${JSON.stringify(client)});
    const server = createServer((req, res) => {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        const message = JSON.parse(body);
        const out = JSON.stringify({ jsonrpc: "2.0", id: message.id, result: { content: [{ type: "text", text: "ok" }] } });
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(out) }).end(out);
      });
    });
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = new URL("http://127.0.0.1:" + server.address().port + "/mcp");
    const t = new HttpClientTransport({ url, headers: {}, agent: createAgent(url) }, { label: "backend", server: "s", maxMessageBytes: 1 << 20, onEnd: () => {}, onWarning: () => {} });
    const waiting = new Map();
    t.onmessage = (message) => { const done = waiting.get(message.id); waiting.delete(message.id); done(); };
    let next = 1;
    let sink;
    const call = () => {
      const id = next++;
      // Now and then unrelated garbage while calls are in flight (a gateway does other work): what lives across it is promoted.
      if (id % 1000 === 0) for (let j = 0; j < 3e5; j++) sink = { j };
      return new Promise((resolve) => { waiting.set(id, resolve); t.send({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "echo", arguments: { text: "x".repeat(64) } } }); }); };
    const run = async (total) => { let sent = 0; await Promise.all(Array.from({ length: 32 }, async () => { while (sent++ < total) await call(); })); };
    await run(2000);
    console.log("MARK");
    await run(${CALLS});
    await t.close();
    server.close();`;
  const run = spawnSync(process.execPath, ["--trace-gc-nvp", "--input-type=module", "-e", script], { encoding: "utf8", timeout: 30_000 });
  expect(run.status, run.stderr).toBe(0);
  const measured = run.stdout.slice(run.stdout.indexOf("MARK"));
  let promoted = 0;
  for (const match of measured.matchAll(/ promoted=(\d+)/g)) promoted += Number(match[1]);
  if (process.env.PROMOTION_PRINT) console.log(`promoted ${(promoted / CALLS).toFixed(0)} bytes per call`);
  return promoted / CALLS;
}

describe("HttpClientTransport under load", () => {
  it("does not promote each call's request and response to the old generation (requests in flight are not in a churned Map)", () => {
    // A Map keyed by request id kept ~3.5 KB of every call alive through young collections.
    expect(promotedPerCall(process.env.PROMOTION_DIST ?? `${ROOT}dist`)).toBeLessThan(1024);
  });
});
