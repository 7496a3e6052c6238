import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Client as ModernClient, StreamableHTTPClientTransport as ModernHttpTransport } from "@modelcontextprotocol/client";
import { StdioClientTransport as ModernStdioTransport } from "@modelcontextprotocol/client/stdio";
import { MAIN, fixture } from "../helpers/paths.js";
import { startHttpSwitchboard, writeConfig, type SwitchboardProcess } from "../helpers/switchboard-process.js";

/**
 * Modern client <-> modern backend through the switchboard: the official v2
 * client pinned to 2026-07-28 calls the MRTR tools of our modern-only
 * fixture and of an SDK v2 server (two rounds: elicitation, then sampling);
 * their InputRequiredResults pass through with the backend's requestState
 * sealed in ours, and each retry reaches the backend with its own state.
 */

const PIN = { versionNegotiation: { mode: { pin: "2026-07-28" } } } as const;
const stdio = (name: string) => ({ type: "stdio", command: process.execPath, args: [fixture(name)] });

let sb: SwitchboardProcess;
let config: string;
const cleanups: Array<() => Promise<unknown> | unknown> = [];

beforeAll(async () => {
  config = writeConfig({ servers: { modern: stdio("modern-backend"), v2: stdio("v2-backend") } });
  sb = await startHttpSwitchboard(config);
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

afterAll(async () => {
  expect(await sb.stop()).toBe(0);
});

/** A pinned v2 client answering elicitation with `name` and sampling with "Paris". */
function modernClient(name: string): ModernClient {
  const client = new ModernClient({ name, version: "1" }, { ...PIN, capabilities: { elicitation: { form: {} }, sampling: {} } });
  client.setRequestHandler("elicitation/create", async () => ({ action: "accept", content: { name } }));
  client.setRequestHandler("sampling/createMessage", async () => ({ role: "assistant", content: { type: "text", text: "Paris" }, model: "m", stopReason: "endTurn" }));
  return client;
}

const textOf = (result: { content?: unknown }): string => ((result.content as Array<{ text?: string }>) ?? []).map((c) => c.text ?? "").join("");

describe("MRTR bridge, modern client and modern backends (v2 client pinned to 2026-07-28)", () => {
  it("HTTP: both backends' input rounds reach the client with our sealed state in place of theirs", async () => {
    const states: string[] = [];
    const recording = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const response = await fetch(input, init);
      const body = await response.clone().text();
      for (const match of body.matchAll(/"requestState":"([^"]*)"/g)) states.push(match[1] as string);
      return response;
    };
    const client = modernClient("Ann");
    await client.connect(new ModernHttpTransport(new URL(sb.url), { fetch: recording }));
    cleanups.push(() => client.close());
    for (const tool of ["proxy.modern.ask", "proxy.v2.ask"]) {
      expect(textOf(await client.callTool({ name: tool, arguments: {} }))).toBe("hello Ann, the model says Paris");
    }
    // Each state the client saw is ours (the backends' own are base64 JSON or a bare name).
    expect(states.length).toBeGreaterThanOrEqual(3);
    expect(states.every((state) => state.startsWith("sb1."))).toBe(true);
  });

  it("stdio: the same through a switchboard the client spawns", async () => {
    const transport = new ModernStdioTransport({ command: process.execPath, args: [MAIN, config, "--stdio"], stderr: "pipe" });
    const client = modernClient("Bo");
    await client.connect(transport);
    cleanups.push(() => client.close());
    for (const tool of ["proxy.modern.ask", "proxy.v2.ask"]) {
      expect(textOf(await client.callTool({ name: tool, arguments: {} }))).toBe("hello Bo, the model says Paris");
    }
  });
});
