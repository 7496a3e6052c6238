import { afterEach, describe, expect, it } from "vitest";
import type { Backend } from "../../src/backend/backend.js";
import { fixtureBackend } from "../helpers/backend.js";
import { httpServer, sseServer, startEverything, startFixture, type RemoteServer } from "../helpers/remote.js";

const servers: RemoteServer[] = [];
const backends: Backend[] = [];

afterEach(async () => {
  await Promise.all(backends.splice(0).map((b) => b.stop()));
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function everything(mode: "streamableHttp" | "sse"): Promise<RemoteServer> {
  const server = await startEverything(mode);
  servers.push(server);
  return server;
}

function track<T extends { backend: Backend }>(made: T): T {
  backends.push(made.backend);
  return made;
}

const text = (result: Record<string, unknown>) => (result["content"] as Array<{ text: string }>)[0]!.text;

describe("remote backends: server-everything over Streamable HTTP and HTTP+SSE", () => {
  it("Streamable HTTP: handshake, every catalog kind, a call, progress, a session and its GET stream in stats", async () => {
    const server = await everything("streamableHttp");
    const { backend } = track(fixtureBackend("every", httpServer(server.url)));
    await backend.start();
    expect(backend.state).toBe("ready");
    expect(backend.tools.map((t) => t.name)).toContain("echo");
    expect(backend.entries("prompts").length).toBeGreaterThan(0);
    expect(backend.entries("resources").length).toBeGreaterThan(0);
    expect(text(await backend.request("tools/call", { name: "echo", arguments: { message: "over http" } }))).toContain("over http");
    const progress: unknown[] = [];
    await backend.request("tools/call", { name: "trigger-long-running-operation", arguments: { duration: 0.3, steps: 3 } }, { onProgress: (p) => void progress.push(p) });
    expect(progress.length).toBe(3);
    const stats = backend.stats();
    expect(stats.pid).toBeNull();
    expect(stats.remote).toMatchObject({ transport: "http", url: server.url, session: "active", stream: true });
  });

  it("legacy HTTP+SSE: endpoint event, POSTs, answers on the stream", async () => {
    const server = await everything("sse");
    const { backend } = track(fixtureBackend("old", sseServer(server.url)));
    await backend.start();
    expect(backend.state).toBe("ready");
    expect(text(await backend.request("tools/call", { name: "echo", arguments: { message: "over sse" } }))).toContain("over sse");
    expect(backend.stats().remote).toMatchObject({ transport: "sse", session: "active", stream: true });
  });

  it("a url entry falls back to HTTP+SSE when the server refuses the initialize POST with a 4xx", async () => {
    const server = await everything("sse");
    const { backend, logger } = track(fixtureBackend("auto", httpServer(server.url, { sseFallback: true })));
    await backend.start();
    expect(backend.state).toBe("ready");
    expect(text(await backend.request("tools/call", { name: "echo", arguments: { message: "fell back" } }))).toContain("fell back");
    expect(backend.stats().remote?.transport).toBe("sse");
    expect(logger.lines.join("\n")).toMatch(/legacy HTTP\+SSE/);
  });
});

describe("remote backends: the official v1 SDK's own Streamable HTTP server", () => {
  for (const mode of ["stateful", "stateless"] as const) {
    it(`${mode}: tools, prompts and resources`, async () => {
      const server = await startFixture("sdk-http-backend", mode === "stateless" ? ["--stateless"] : []);
      servers.push(server);
      const { backend } = track(fixtureBackend("sdk", httpServer(server.url)));
      await backend.start();
      expect(backend.state).toBe("ready");
      expect(text(await backend.request("tools/call", { name: "add", arguments: { a: 2, b: 3 } }))).toBe("5");
      const prompt = await backend.request("prompts/get", { name: "greet", arguments: { who: "you" } });
      expect(JSON.stringify(prompt)).toContain("hello you");
      const read = await backend.request("resources/read", { uri: "demo://hello" });
      expect(JSON.stringify(read)).toContain("hello resource");
      expect(backend.stats().remote?.session).toBe("active");
    });
  }
});
