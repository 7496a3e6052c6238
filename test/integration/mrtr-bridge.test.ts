import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Client as ModernClient, StreamableHTTPClientTransport as ModernHttpTransport } from "@modelcontextprotocol/client";
import { StdioClientTransport as ModernStdioTransport } from "@modelcontextprotocol/client/stdio";
import { MAIN, fixture, nodeModule } from "../helpers/paths.js";
import { startHttpSwitchboard, writeConfig, type SwitchboardProcess } from "../helpers/switchboard-process.js";

/**
 * The MRTR bridge end to end: the official v2 client pinned to 2026-07-28,
 * with elicitation and sampling handlers (its MRTR auto-fulfilment answers
 * input_required through them), calls server-everything's trigger tools
 * (legacy: they send the client requests) and the MRTR fixture through the
 * switchboard over HTTP and stdio. Each call is a chain of stateless
 * requests; the backend's requests are held between them.
 */

const PIN = { versionNegotiation: { mode: { pin: "2026-07-28" } } } as const;
const EVERYTHING = nodeModule("@modelcontextprotocol/server-everything/dist/index.js");

let sb: SwitchboardProcess;
let config: string;
const cleanups: Array<() => Promise<unknown> | unknown> = [];

beforeAll(async () => {
  config = writeConfig({
    proxy: { namespace: "proxy" },
    servers: {
      everything: { type: "stdio", command: process.execPath, args: [EVERYTHING, "stdio"] },
      mrtr: { type: "stdio", command: process.execPath, args: [fixture("mrtr-backend")] },
    },
  });
  sb = await startHttpSwitchboard(config);
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

afterAll(async () => {
  expect(await sb.stop()).toBe(0);
});

/** What the client's handlers saw. */
interface Seen {
  elicitations: string[];
  samplings: number;
}

/** A pinned v2 client declaring elicitation and sampling, answering both. */
function modernClient(name: string, seen: Seen): ModernClient {
  const client = new ModernClient({ name, version: "1" }, { ...PIN, capabilities: { elicitation: { form: {} }, sampling: {} } });
  client.setRequestHandler("elicitation/create", async (request) => {
    seen.elicitations.push(String(request.params.message));
    return { action: "accept", content: { name: `user of ${name}` } };
  });
  client.setRequestHandler("sampling/createMessage", async () => {
    seen.samplings++;
    return { role: "assistant", content: { type: "text", text: `sampled by ${name}` }, model: "test-model", stopReason: "endTurn" };
  });
  return client;
}

async function exercise(client: ModernClient, name: string, seen: Seen): Promise<void> {
  const elicited = await client.callTool({ name: "proxy.everything.trigger-elicitation-request", arguments: {} });
  expect(elicited.isError).toBeFalsy();
  expect(JSON.stringify(elicited.content)).toContain(`user of ${name}`);
  expect(seen.elicitations).toHaveLength(1);

  const sampled = await client.callTool({ name: "proxy.everything.trigger-sampling-request", arguments: { prompt: "hi", maxTokens: 5 } });
  expect(sampled.isError).toBeFalsy();
  expect(JSON.stringify(sampled.content)).toContain(`sampled by ${name}`);
  expect(seen.samplings).toBe(1);

  // Two rounds on one call, then a backend answering input_required itself.
  const asks = [
    { method: "elicitation/create", params: { mode: "form", message: "first?", requestedSchema: { type: "object", properties: {} } } },
    { method: "sampling/createMessage", params: { messages: [{ role: "user", content: { type: "text", text: "second?" } }], maxTokens: 5 } },
  ];
  const twice = await client.callTool({ name: "proxy.mrtr.ask-many", arguments: { asks } });
  const answers = JSON.parse((twice.content as Array<{ text: string }>)[0]!.text) as unknown[];
  expect(answers).toEqual([{ action: "accept", content: { name: `user of ${name}` } }, expect.objectContaining({ model: "test-model" })]);
  const native = await client.callTool({ name: "proxy.mrtr.native", arguments: { question: "colour?" } });
  expect(JSON.parse((native.content as Array<{ text: string }>)[0]!.text)).toEqual({
    state: "native-state:colour?",
    answer: { action: "accept", content: { name: `user of ${name}` } },
  });
  expect(seen.elicitations.slice(1)).toEqual(["first?", "colour?"]);
}

describe("MRTR bridge end to end (v2 client pinned to 2026-07-28, legacy backends)", () => {
  it("HTTP: sampling and elicitation of a legacy backend, over as many rounds as it asks, with stateless requests", async () => {
    const seen: Seen = { elicitations: [], samplings: 0 };
    const sessions: Array<string | null> = [];
    const recording = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const response = await fetch(input, init);
      sessions.push(response.headers.get("mcp-session-id"));
      return response;
    };
    const client = modernClient("http-client", seen);
    await client.connect(new ModernHttpTransport(new URL(sb.url), { fetch: recording }));
    cleanups.push(() => client.close());
    await exercise(client, "http-client", seen);
    expect(sessions.every((id) => id === null)).toBe(true);
  });

  it("stdio: the same through a switchboard the client spawns", async () => {
    const seen: Seen = { elicitations: [], samplings: 0 };
    const transport = new ModernStdioTransport({ command: process.execPath, args: [MAIN, config, "--stdio"], stderr: "pipe" });
    const client = modernClient("stdio-client", seen);
    await client.connect(transport);
    cleanups.push(() => client.close());
    await exercise(client, "stdio-client", seen);
  });
});
