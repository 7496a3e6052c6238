import { afterEach, describe, expect, it } from "vitest";
import type { Backend } from "../../src/backend/backend.js";
import type { BackendOptions } from "../../src/backend/backend-types.js";
import type { HttpServerConfig } from "../../src/config/types.js";
import type { JsonRpcId } from "../../src/jsonrpc/message.js";
import { fixtureBackend } from "../helpers/backend.js";
import { httpServer, startFixture, type RemoteServer } from "../helpers/remote.js";

const servers: RemoteServer[] = [];
const backends: Backend[] = [];

afterEach(async () => {
  await Promise.all(backends.splice(0).map((b) => b.stop()));
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function faults(args: string[] = []): Promise<RemoteServer> {
  const server = await startFixture("remote-faults-backend", args);
  servers.push(server);
  return server;
}

function remote(url: string, overrides: Partial<HttpServerConfig> = {}, options: Partial<BackendOptions> = {}) {
  const made = fixtureBackend("remote", httpServer(url, overrides), options);
  backends.push(made.backend);
  return made;
}

const text = (result: Record<string, unknown>) => (result["content"] as Array<{ text: string }>)[0]!.text;
const call = (backend: Backend, name: string, args: Record<string, unknown> = {}) => backend.request("tools/call", { name, arguments: args });

async function until(check: () => boolean, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("remote backend faults (a Streamable HTTP fixture of our own)", () => {
  it("a 404 for our session re-initializes once, transparently, and the call is retried", async () => {
    const server = await faults();
    const { backend, logger } = remote(server.url);
    await backend.start();
    const first = text(await call(backend, "echo"));
    await fetch(new URL("/control/forget", server.url), { method: "POST" });
    const second = text(await call(backend, "echo"));
    expect(second).toMatch(/session=[0-9a-f-]{36}/);
    expect(second.split("session=")[1]).not.toBe(first.split("session=")[1]);
    const stats = (await (await fetch(new URL("/control/stats", server.url))).json()) as { initializeCount: number };
    expect(stats.initializeCount).toBe(2);
    expect(backend.state).toBe("ready");
    expect(logger.lines.join("\n")).toMatch(/forgotten our session \(HTTP 404\); a new session was initialized/);
  });

  it("a 404 for our session on the GET stream re-initializes transparently: the backend stays ready, the stream reopens", async () => {
    const server = await faults(["--get-stream"]);
    const { backend, logger } = remote(server.url);
    const states: string[] = [];
    backend.events.on("stateChanged", (state) => states.push(state));
    await backend.start();
    const stats = async () => (await (await fetch(new URL("/control/stats", server.url))).json()) as { initializeCount: number; getStreams: number; openGetStreams: number };
    const opened = Date.now() + 5000;
    while ((await stats()).openGetStreams !== 1 && Date.now() < opened) await new Promise((resolve) => setTimeout(resolve, 20));
    states.length = 0;
    await fetch(new URL("/control/forget", server.url), { method: "POST" });
    const reopened = Date.now() + 5000;
    while (((await stats()).openGetStreams !== 1 || (await stats()).initializeCount !== 2) && Date.now() < reopened) await new Promise((resolve) => setTimeout(resolve, 20));
    const after = await stats();
    expect(after.initializeCount).toBe(2);
    expect(after.openGetStreams).toBe(1);
    expect(states).toEqual([]);
    expect(backend.state).toBe("ready");
    expect(text(await call(backend, "echo"))).toMatch(/session=[0-9a-f-]{36}/);
    expect(logger.lines.join("\n")).toMatch(/forgotten our session \(HTTP 404\); a new session was initialized/);
  });

  it("a server whose every GET is a 404 is re-initialized once, not in a loop; its stream counts as refused", async () => {
    const server = await faults(["--get-stream", "--get-404"]);
    const { backend, logger } = remote(server.url);
    await backend.start();
    await until(() => /refused its event stream \(HTTP 404\)/.test(logger.lines.join("\n")));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stats = (await (await fetch(new URL("/control/stats", server.url))).json()) as { initializeCount: number };
    expect(stats.initializeCount).toBe(2);
    expect(backend.state).toBe("ready");
    expect(text(await call(backend, "echo"))).toContain("echo");
  });

  it("era: \"legacy\" on a Streamable HTTP server skips the era probe; without it the server is probed once", async () => {
    const pinned = await faults();
    const { backend } = remote(pinned.url, { era: "legacy" });
    await backend.start();
    const probed = await faults();
    const { backend: other } = remote(probed.url);
    await other.start();
    const count = async (server: RemoteServer) => ((await (await fetch(new URL("/control/stats", server.url))).json()) as { discoverCount: number }).discoverCount;
    expect(await count(pinned)).toBe(0);
    expect(await count(probed)).toBe(1);
    expect(backend.state).toBe("ready");
    expect(other.state).toBe("ready");
  });

  it("a stateless server (no session id) works", async () => {
    const server = await faults(["--stateless"]);
    const { backend } = remote(server.url);
    await backend.start();
    expect(text(await call(backend, "echo", { a: 1 }))).toContain("session=none");
  });

  it("garbage on a call's stream fails that call, naming the server; the backend stays ready", async () => {
    const server = await faults();
    const { backend } = remote(server.url);
    await backend.start();
    await expect(call(backend, "garbage")).rejects.toMatchObject({ code: -32000, message: expect.stringMatching(/backend "remote" ended the stream answering tools\/call before its answer/) });
    expect(backend.state).toBe("ready");
    expect(text(await call(backend, "echo"))).toContain("echo");
  });

  it("a 50 MB event is dropped as it arrives (maxMessageBytes), failing only that call", async () => {
    const server = await faults();
    const { backend } = remote(server.url, {}, { maxMessageBytes: 1024 * 1024 });
    await backend.start();
    const before = process.memoryUsage().rss;
    await expect(call(backend, "huge")).rejects.toMatchObject({ message: expect.stringMatching(/larger than maxMessageBytes/), data: { server: "remote", reason: "TOO_LARGE" } });
    expect(process.memoryUsage().rss - before).toBeLessThan(40 * 1024 * 1024);
    expect(text(await call(backend, "echo"))).toContain("echo");
  });

  it("a server that never answers is bounded by the per-server timeout", async () => {
    const server = await faults();
    const { backend } = remote(server.url, { timeoutMs: 300 });
    await backend.start();
    await expect(call(backend, "hang")).rejects.toMatchObject({ code: "REQUEST_TIMEOUT", message: expect.stringMatching(/backend "remote" did not answer tools\/call within 300 ms/) });
    expect(text(await call(backend, "echo"))).toContain("echo");
  });

  it("a stream cut mid-call fails only that call", async () => {
    const server = await faults();
    const { backend } = remote(server.url);
    await backend.start();
    await expect(call(backend, "cut")).rejects.toMatchObject({ code: -32000, data: { server: "remote", reason: "STREAM_BROKEN" } });
    expect(text(await call(backend, "echo"))).toContain("echo");
  });

  it("a stream cut after an event with an id is resumed with GET + Last-Event-ID, as often as it is cut, and the call gets its answer", async () => {
    const server = await faults();
    const { backend } = remote(server.url);
    await backend.start();
    expect(text(await call(backend, "resumable", { cuts: 1 }))).toBe("resumed after 1 cut(s)");
    expect(text(await call(backend, "resumable", { cuts: 3 }))).toBe("resumed after 3 cut(s)");
    const stats = (await (await fetch(new URL("/control/stats", server.url))).json()) as { resumes: number };
    expect(stats.resumes).toBe(4);
    expect(backend.state).toBe("ready");
  });

  it("a server request on a call's stream reaches onServerRequest with relatedRequestId = our request's id", async () => {
    const server = await faults();
    const related: Array<JsonRpcId | undefined> = [];
    const { backend } = remote(server.url, {}, {
      onServerRequest: (request) => {
        related.push(request.relatedRequestId);
        return { roots: [{ uri: "file:///here" }] };
      },
    });
    await backend.start();
    expect(text(await call(backend, "ask"))).toContain("file:///here");
    expect(related).toHaveLength(1);
    expect(typeof related[0]).toBe("number");
  });

  it("401: the server is marked failed at once, naming the status, and never retried; the token is never logged", async () => {
    const server = await faults(["--token", "s3cret-token"]);
    const bad = remote(server.url, { headers: { Authorization: "Bearer wrong-token" } });
    await bad.backend.start();
    expect(bad.backend.state).toBe("failed");
    expect(bad.backend.stats().lastError).toMatch(/refused our credentials: HTTP 401/);
    expect(JSON.stringify(bad.backend.stats()) + bad.logger.lines.join("\n")).not.toMatch(/wrong-token/);
    const good = remote(server.url, { headers: { Authorization: "Bearer s3cret-token" } });
    await good.backend.start();
    expect(good.backend.state).toBe("ready");
  });

  it("credentials in the URL never reach stats or errors", async () => {
    const server = await faults();
    const url = new URL(server.url);
    url.username = "user";
    url.password = "pa55word";
    url.searchParams.set("api_key", "k3y");
    const { backend, logger } = remote(url.toString());
    await backend.start();
    await server.stop();
    await expect(call(backend, "echo")).rejects.toThrow();
    const seen = JSON.stringify(backend.stats()) + logger.lines.join("\n");
    expect(seen).not.toMatch(/pa55word|k3y|user@/);
    expect(backend.stats().remote?.url).toBe(`http://127.0.0.1:${url.port}/mcp?api_key=…`);
  });

  it("a server killed mid-run: calls fail fast naming it, its tools leave; started again on the same port, it comes back", async () => {
    const server = await faults();
    const { backend, changes } = remote(server.url);
    await backend.start();
    expect(backend.tools.length).toBe(7);
    await server.stop();
    servers.length = 0;
    const started = Date.now();
    await expect(call(backend, "echo")).rejects.toMatchObject({ message: expect.stringMatching(/backend "remote" is unreachable at http:\/\/127\.0\.0\.1:\d+\/mcp \(.*ECONNREFUSED/) });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(backend.tools.length).toBe(0);
    await expect(call(backend, "echo")).rejects.toMatchObject({ code: "BACKEND_UNAVAILABLE" });
    const changesWhileDown = changes.count;
    await faults(["--port", String(server.port)]);
    await until(() => backend.state === "ready");
    expect(backend.tools.length).toBe(7);
    expect(changes.count).toBeGreaterThan(changesWhileDown);
    expect(text(await call(backend, "echo"))).toContain("echo");
  });
});
