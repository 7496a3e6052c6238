import { request, type IncomingMessage } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { CreateMessageRequestSchema, ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { jsonHeaders, rawRequest } from "../helpers/raw-http.js";
import { startEverything } from "../helpers/remote.js";
import { connectHttp } from "../helpers/sdk.js";
import { startHttpSwitchboard, writeConfig, type SwitchboardProcess } from "../helpers/switchboard-process.js";

/**
 * A remote Streamable HTTP backend shared by every client sends its
 * sampling and elicitation on the SSE stream of the POST that caused them:
 * the switchboard follows that link to exactly the client (and the call)
 * whose request it was, however many clients have calls in flight there.
 */

const TOOL = (name: string) => `proxy.web.${name}`;
const SAMPLE_PREFIX = "Resource trigger-sampling-request context: ";

const running: Array<{ stop(): Promise<unknown> }> = [];
afterEach(async () => {
  for (const item of running.splice(0).reverse()) await item.stop().catch(() => undefined);
});

/** server-everything over Streamable HTTP, shared, behind an HTTP switchboard. */
async function sharedRemote(): Promise<SwitchboardProcess> {
  const everything = await startEverything("streamableHttp");
  running.push(everything);
  const sb = await startHttpSwitchboard(writeConfig({ proxy: { startupWait: 10_000 }, servers: { web: { type: "http", url: everything.url, isolation: "shared" } } }));
  running.push(sb);
  return sb;
}

/** A barrier for `count` arrivals: each waits until all have arrived, so the calls overlap on the switchboard. */
function barrier(count: number): () => Promise<void> {
  let arrived = 0;
  let release!: () => void;
  const all = new Promise<void>((resolve) => (release = resolve));
  return async () => {
    if (++arrived === count) release();
    await all;
  };
}

/** Where the handlers of both clients wait for each other. */
interface Gates {
  sampling: () => Promise<void>;
  elicitation: () => Promise<void>;
}

/** A client answering sampling and elicitation with its own name, recording what it was asked. */
async function client(url: string, name: string, seen: { sampling: string[]; elicitation: string[] }, gates: Gates): Promise<Client> {
  const made = await connectHttp(url, name, {
    capabilities: { sampling: {}, elicitation: { form: {} } },
    setup: (c) => {
      c.setRequestHandler(CreateMessageRequestSchema, async (req) => {
        const first = req.params.messages[0]?.content;
        seen.sampling.push(first && "text" in first ? String(first.text) : "?");
        await gates.sampling();
        return { role: "assistant", content: { type: "text", text: `sampled by ${name}` }, model: "test-model", stopReason: "endTurn" };
      });
      c.setRequestHandler(ElicitRequestSchema, async (req) => {
        seen.elicitation.push(req.params.message);
        await gates.elicitation();
        return { action: "accept", content: { name: `user of ${name}` } };
      });
    },
  });
  running.push({ stop: () => made.close() });
  return made;
}

describe("server-to-client requests of a shared remote Streamable HTTP backend", () => {
  it("two clients at once: each handler sees exactly its own sampling and elicitation, and both calls succeed", async () => {
    const sb = await sharedRemote();
    const seenA = { sampling: [] as string[], elicitation: [] as string[] };
    const seenB = { sampling: [] as string[], elicitation: [] as string[] };
    // Neither client answers before both were asked: the two calls overlap on the shared backend.
    const gates: Gates = { sampling: barrier(2), elicitation: barrier(2) };
    const a = await client(sb.url, "A", seenA, gates);
    const b = await client(sb.url, "B", seenB, gates);
    const names = (await a.listTools()).tools.map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining([TOOL("trigger-sampling-request"), TOOL("trigger-elicitation-request")]));

    const [sampledA, sampledB] = await Promise.all([
      a.callTool({ name: TOOL("trigger-sampling-request"), arguments: { prompt: "from A", maxTokens: 5 } }),
      b.callTool({ name: TOOL("trigger-sampling-request"), arguments: { prompt: "from B", maxTokens: 5 } }),
    ]);
    expect(seenA.sampling).toEqual([`${SAMPLE_PREFIX}from A`]);
    expect(seenB.sampling).toEqual([`${SAMPLE_PREFIX}from B`]);
    expect(sampledA.isError).toBeFalsy();
    expect(sampledB.isError).toBeFalsy();
    expect(JSON.stringify(sampledA)).toContain("sampled by A");
    expect(JSON.stringify(sampledB)).toContain("sampled by B");

    const [elicitedA, elicitedB] = await Promise.all([
      a.callTool({ name: TOOL("trigger-elicitation-request"), arguments: {} }),
      b.callTool({ name: TOOL("trigger-elicitation-request"), arguments: {} }),
    ]);
    expect(JSON.stringify(elicitedA)).toContain("user of A");
    expect(JSON.stringify(elicitedB)).toContain("user of B");
    expect(seenA.elicitation).toHaveLength(1);
    expect(seenB.elicitation).toHaveLength(1);
    expect(sb.stderr.join("\n")).not.toMatch(/refused/);
  }, 30_000);

  it("one client with two calls in flight: each sampling travels on the SSE stream of the call that caused it", async () => {
    const sb = await sharedRemote();
    const session = await rawSession(sb.url);
    const headers = jsonHeaders({ "Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-06-18" });
    const call = (id: number, prompt: string) =>
      streamingPost(sb.url, headers, { jsonrpc: "2.0", id, method: "tools/call", params: { name: TOOL("trigger-sampling-request"), arguments: { prompt, maxTokens: 5 } } });
    const [one, two] = await Promise.all([call(11, "first"), call(12, "second")]);
    // Both calls are in flight before either sampling is answered.
    const [askOne, askTwo] = await Promise.all([one.next(), two.next()]);
    expect(askOne).toMatchObject({ method: "sampling/createMessage" });
    expect(askTwo).toMatchObject({ method: "sampling/createMessage" });
    expect(JSON.stringify(askOne)).toContain(`${SAMPLE_PREFIX}first`);
    expect(JSON.stringify(askTwo)).toContain(`${SAMPLE_PREFIX}second`);
    for (const [ask, who] of [[askOne, "one"], [askTwo, "two"]] as const) {
      const answer = { jsonrpc: "2.0", id: ask["id"], result: { role: "assistant", content: { type: "text", text: `sampled for ${who}` }, model: "m" } };
      const posted = await rawRequest(sb.url, { method: "POST", headers, body: JSON.stringify(answer) });
      expect(posted.status).toBe(202);
    }
    const [doneOne, doneTwo] = await Promise.all([one.next(), two.next()]);
    expect(doneOne).toMatchObject({ id: 11 });
    expect(doneTwo).toMatchObject({ id: 12 });
    expect(JSON.stringify(doneOne)).toContain("sampled for one");
    expect(JSON.stringify(doneTwo)).toContain("sampled for two");
  }, 30_000);
});

/** Initialize a raw session declaring sampling. */
async function rawSession(url: string): Promise<string> {
  const init = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: { sampling: {} }, clientInfo: { name: "raw", version: "1" } } };
  const res = await rawRequest(url, { method: "POST", headers: jsonHeaders(), body: JSON.stringify(init) });
  const id = res.headers["mcp-session-id"];
  if (res.status !== 200 || typeof id !== "string") throw new Error(`initialize failed: ${res.status} ${res.body}`);
  const headers = jsonHeaders({ "Mcp-Session-Id": id, "MCP-Protocol-Version": "2025-06-18" });
  await rawRequest(url, { method: "POST", headers, body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }) });
  return id;
}

/** POST one request and read the JSON-RPC messages of its SSE answer one by one. */
async function streamingPost(url: string, headers: Record<string, string>, body: object): Promise<{ next(): Promise<Record<string, unknown>> }> {
  const target = new URL(url);
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request({ host: target.hostname, port: target.port, path: target.pathname, method: "POST", headers, agent: false }, resolve);
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
  if (response.headers["content-type"]?.startsWith("text/event-stream") !== true) throw new Error(`expected an event stream, got ${response.headers["content-type"]}`);
  response.setEncoding("utf8");
  const messages: Array<Record<string, unknown>> = [];
  const waiters: Array<(message: Record<string, unknown>) => void> = [];
  let buffer = "";
  response.on("data", (chunk: string) => {
    buffer += chunk;
    for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = event
        .split("\n")
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5).trimStart())
        .join("\n");
      if (data === "") continue;
      const message = JSON.parse(data) as Record<string, unknown>;
      const waiter = waiters.shift();
      if (waiter) waiter(message);
      else messages.push(message);
    }
  });
  running.push({ stop: async () => void response.destroy() });
  return {
    next: () => {
      const ready = messages.shift();
      if (ready) return Promise.resolve(ready);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`nothing more arrived on the stream of request ${JSON.stringify((body as { id?: unknown }).id)} within 10 s`)), 10_000);
        waiters.push((message) => {
          clearTimeout(timer);
          resolve(message);
        });
      });
    },
  };
}
