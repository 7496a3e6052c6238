import { afterEach, describe, expect, it } from "vitest";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { CreateMessageRequestSchema, ElicitRequestSchema, ListRootsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { fixture, nodeModule } from "../helpers/paths.js";
import { waitFor } from "../helpers/procfs.js";
import { connectHttp, connectStdio } from "../helpers/sdk.js";
import { startHttpSwitchboard, writeConfig, type SwitchboardProcess } from "../helpers/switchboard-process.js";

/**
 * Backends' requests to clients (sampling, elicitation, roots) through the
 * switchboard, with server-everything and the official SDK client: each
 * reaches the client whose call caused it, and no other.
 */

const EVERYTHING = nodeModule("@modelcontextprotocol/server-everything/dist/index.js");
const everything = (extra: Record<string, unknown> = {}) => ({ type: "stdio", command: process.execPath, args: [EVERYTHING, "stdio"], ...extra });
const TOOL = (name: string) => `proxy.everything.${name}`;

const running: Array<{ stop(): Promise<unknown> }> = [];
afterEach(async () => {
  for (const item of running.splice(0)) await item.stop().catch(() => undefined);
});

async function http(config: unknown): Promise<SwitchboardProcess> {
  const sb = await startHttpSwitchboard(writeConfig(config));
  running.push(sb);
  return sb;
}

/** What one client's handlers saw. */
interface Seen {
  sampling: string[];
  elicitation: string[];
  roots: number;
}

/**
 * A client declaring sampling, elicitation and roots whose handlers record
 * what they get and answer with its own name; `beforeSampling` runs before
 * a sampling answer.
 */
function handlers(name: string, seen: Seen, beforeSampling?: () => Promise<void>): { capabilities: Record<string, object>; setup: (client: Client) => void } {
  return {
    capabilities: { sampling: {}, elicitation: { form: {} }, roots: { listChanged: true } },
    setup: (client) => {
      client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
        const first = request.params.messages[0]?.content;
        seen.sampling.push(first && "text" in first ? String(first.text) : "?");
        await beforeSampling?.();
        return { role: "assistant", content: { type: "text", text: `sampled by ${name}` }, model: "test-model", stopReason: "endTurn" };
      });
      client.setRequestHandler(ElicitRequestSchema, async (request) => {
        seen.elicitation.push(request.params.message);
        return { action: "accept", content: { name: `user of ${name}` } };
      });
      client.setRequestHandler(ListRootsRequestSchema, async () => {
        seen.roots++;
        return { roots: [{ uri: `file:///roots/${name}`, name: `root of ${name}` }] };
      });
    },
  };
}

const fresh = (): Seen => ({ sampling: [], elicitation: [], roots: 0 });
const text = (result: unknown): string => JSON.stringify(result);

/** Sampling, elicitation and roots of server-everything, answered by `client`'s handlers. */
async function exercise(client: Client, name: string, seen: Seen): Promise<void> {
  const tools = (await client.listTools()).tools.map((tool) => tool.name);
  expect(tools).toEqual(expect.arrayContaining([TOOL("trigger-sampling-request"), TOOL("trigger-elicitation-request"), TOOL("get-roots-list")]));

  const sampled = await client.callTool({ name: TOOL("trigger-sampling-request"), arguments: { prompt: `from ${name}`, maxTokens: 5 } });
  expect(sampled.isError).toBeFalsy();
  expect(text(sampled)).toContain(`sampled by ${name}`);
  expect(seen.sampling).toEqual([`Resource trigger-sampling-request context: from ${name}`]);

  const elicited = await client.callTool({ name: TOOL("trigger-elicitation-request"), arguments: {} });
  expect(elicited.isError).toBeFalsy();
  expect(text(elicited)).toContain(`user of ${name}`);
  expect(seen.elicitation).toHaveLength(1);

  const roots = await client.callTool({ name: TOOL("get-roots-list"), arguments: {} });
  expect(text(roots)).toContain(`file:///roots/${name}`);
  expect(seen.roots).toBeGreaterThanOrEqual(1);
}

describe("server-to-client requests through the switchboard (server-everything, isolation \"session\")", () => {
  it("over HTTP: sampling, elicitation and roots are answered by the calling client's handlers", async () => {
    const sb = await http({ servers: { everything: everything({ isolation: "session" }) } });
    const seen = fresh();
    const client = await connectHttp(sb.url, "A", handlers("A", seen));
    running.push({ stop: () => client.close() });
    await exercise(client, "A", seen);
    await sb.waitForLog(/backend "everything": starting a process for session/);
  }, 30_000);

  it("over stdio: the same", async () => {
    const seen = fresh();
    const { client } = await connectStdio(writeConfig({ servers: { everything: everything({ isolation: "session" }) } }), { name: "S", ...handlers("S", seen) });
    running.push({ stop: () => client.close() });
    await exercise(client, "S", seen);
  }, 30_000);

  it("two HTTP clients at once: each handler sees only its own sampling and elicitation, each session has its own process", async () => {
    const sb = await http({ servers: { everything: everything({ isolation: "session" }) } });
    const seenA = fresh();
    const seenB = fresh();
    // Neither sampling is answered before both were asked: the two calls overlap on the switchboard.
    let arrived = 0;
    let bothArrived!: () => void;
    const both = new Promise<void>((resolve) => (bothArrived = resolve));
    const barrier = async (): Promise<void> => {
      if (++arrived === 2) bothArrived();
      await both;
    };
    const a = await connectHttp(sb.url, "A", handlers("A", seenA, barrier));
    const b = await connectHttp(sb.url, "B", handlers("B", seenB, barrier));
    running.push({ stop: () => a.close() }, { stop: () => b.close() });
    const [resultA, resultB] = await Promise.all([
      a.callTool({ name: TOOL("trigger-sampling-request"), arguments: { prompt: "from A", maxTokens: 5 } }),
      b.callTool({ name: TOOL("trigger-sampling-request"), arguments: { prompt: "from B", maxTokens: 5 } }),
    ]);
    expect(seenA.sampling).toEqual(["Resource trigger-sampling-request context: from A"]);
    expect(seenB.sampling).toEqual(["Resource trigger-sampling-request context: from B"]);
    expect(text(resultA)).toContain("sampled by A");
    expect(text(resultB)).toContain("sampled by B");

    const [elicitedA, elicitedB] = await Promise.all([
      a.callTool({ name: TOOL("trigger-elicitation-request"), arguments: {} }),
      b.callTool({ name: TOOL("trigger-elicitation-request"), arguments: {} }),
    ]);
    expect(text(elicitedA)).toContain("user of A");
    expect(text(elicitedB)).toContain("user of B");
    expect(seenA.elicitation).toHaveLength(1);
    expect(seenB.elicitation).toHaveLength(1);
    expect(sb.stderr.filter((line) => /starting a process for session/.test(line))).toHaveLength(2);
  }, 30_000);
});

describe("server-to-client requests on a shared backend", () => {
  it("go to the one client with a call in flight; with two, the backend is refused with a clear error and neither client gets the other's request", async () => {
    const sb = await http({ servers: { everything: everything() } });
    const seenA = fresh();
    const seenB = fresh();
    let b!: Client;
    let resultB: unknown;
    // A's sampling is answered only once B's call, made while A's is in flight, is over.
    const a = await connectHttp(sb.url, "A", handlers("A", seenA, async () => {
      resultB = await b.callTool({ name: TOOL("trigger-sampling-request"), arguments: { prompt: "from B", maxTokens: 5 } }).catch((error: unknown) => error);
    }));
    b = await connectHttp(sb.url, "B", handlers("B", seenB));
    running.push({ stop: () => a.close() }, { stop: () => b.close() });

    const resultA = await a.callTool({ name: TOOL("trigger-sampling-request"), arguments: { prompt: "from A", maxTokens: 5 } });
    expect(text(resultA)).toContain("sampled by A");
    expect(seenA.sampling).toEqual(["Resource trigger-sampling-request context: from A"]);
    expect(seenB.sampling).toEqual([]);
    expect(text(resultB)).toMatch(/2 clients have requests in flight on the shared backend \\"everything\\", so it cannot be tied to one of them/);
    await sb.waitForLog(/backend "everything" sent sampling\/createMessage, refused: 2 clients have requests in flight/);

    // One client alone: its request is its own again.
    const again = await b.callTool({ name: TOOL("trigger-sampling-request"), arguments: { prompt: "B alone", maxTokens: 5 } });
    expect(text(again)).toContain("sampled by B");
    expect(seenB.sampling).toEqual(["Resource trigger-sampling-request context: B alone"]);
    // Roots are not declared to a shared backend without config roots: the roots tool is not listed.
    expect((await a.listTools()).tools.map((tool) => tool.name)).not.toContain(TOOL("get-roots-list"));
    expect(seenA.roots + seenB.roots).toBe(0);
  }, 30_000);

  it("a client that lacks the capability: the backend is refused at once, naming what is missing", async () => {
    const sb = await http({ servers: { everything: everything() } });
    const client = await connectHttp(sb.url, "plain");
    running.push({ stop: () => client.close() });
    const result = await client.callTool({ name: TOOL("trigger-sampling-request"), arguments: { prompt: "x", maxTokens: 5 } }).catch((error: unknown) => error);
    expect(text(result)).toMatch(/sampling\/createMessage from backend \\"everything\\" was not passed on: the client did not declare the \\"sampling\\" capability/);
  }, 30_000);
});

describe("server-to-client requests: timeouts, cancellation, refusals (asking fixture)", () => {
  const asking = (extra: Record<string, unknown> = {}) => ({ command: process.execPath, args: [fixture("asking-backend")], ...extra });
  const SAMPLE = { messages: [{ role: "user", content: { type: "text", text: "hi" } }], maxTokens: 5 };

  /** A sampling client whose handler never answers; `aborted` records why its requests were cancelled. */
  async function silentClient(sb: SwitchboardProcess): Promise<{ client: Client; aborted: string[]; asked: number[] }> {
    const aborted: string[] = [];
    const asked: number[] = [];
    const client = await connectHttp(sb.url, "silent", {
      capabilities: { sampling: {} },
      setup: (c) =>
        c.setRequestHandler(CreateMessageRequestSchema, (_request, extra) => {
          asked.push(1);
          return new Promise((_resolve, reject) =>
            extra.signal.addEventListener("abort", () => {
              aborted.push(String(extra.signal.reason));
              reject(new Error("aborted"));
            }),
          );
        }),
    });
    running.push({ stop: () => client.close() });
    return { client, aborted, asked };
  }

  it("a request the client never answers times out after the server's timeout: the backend gets -32001, the client a cancellation", async () => {
    const sb = await http({ servers: { ask: asking({ timeout: 1500 }) } });
    const { client, aborted } = await silentClient(sb);
    await client.callTool({ name: "proxy.ask.ask", arguments: { method: "sampling/createMessage", params: SAMPLE } }).catch(() => undefined);
    await sb.waitForLog(/answer to ask-1: \{"code":-32001,"message":"the client did not answer sampling\/createMessage within 1500 ms \(servers\.ask\.timeout\)"/);
    await waitFor(() => aborted.length === 1, 5000, "the client to be told of the cancellation");
  }, 30_000);

  it("the backend cancelling its request cancels ours on the client", async () => {
    const sb = await http({ servers: { ask: asking() } });
    const { client, aborted, asked } = await silentClient(sb);
    const result = await client.callTool({ name: "proxy.ask.ask", arguments: { method: "sampling/createMessage", params: SAMPLE, cancelAfterMs: 300 } });
    expect(text(result)).toContain("cancelled");
    expect(asked).toHaveLength(1);
    await waitFor(() => aborted.length === 1, 5000, "the client's handler to be cancelled");
  }, 30_000);

  it("ping is answered by the switchboard; a request with no client call in flight, and an unknown method, are refused with clear errors", async () => {
    const sb = await http({ servers: { ask: asking() } });
    const client = await connectHttp(sb.url, "c", { capabilities: { sampling: {} } });
    running.push({ stop: () => client.close() });
    const ping = await client.callTool({ name: "proxy.ask.ask", arguments: { method: "ping" } });
    expect(text(ping)).toContain('{\\"result\\":{}}');
    const unknown = await client.callTool({ name: "proxy.ask.ask", arguments: { method: "tasks/list" } });
    expect(text(unknown)).toMatch(/-32601.*Method not found: tasks\/list/);
    await client.callTool({ name: "proxy.ask.ask", arguments: { method: "sampling/createMessage", params: SAMPLE, detached: true } });
    await sb.waitForLog(/answer to ask-3: .*no client has a request in flight on backend \\"ask\\", so nothing ties it to a client/);
    await sb.waitForLog(/backend "ask" sent sampling\/createMessage, refused: no client has a request in flight/);
  }, 30_000);
});
