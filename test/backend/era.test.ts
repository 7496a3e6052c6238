import { afterEach, describe, expect, it } from "vitest";
import type { Backend } from "../../src/backend/backend.js";
import { JsonRpcError } from "../../src/jsonrpc/errors.js";
import { MetaKey } from "../../src/mcp/modern.js";
import { fixtureBackend, fixtureServer } from "../helpers/backend.js";

/**
 * Era detection per backend (MCP 2026-07-28, stdio binding): a server/discover
 * probe with modern _meta; a DiscoverResult means modern, any other error or
 * silence means legacy (initialize). Modern backends get the modern _meta on
 * every request and never a removed method.
 */

const started: Backend[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((backend) => backend.stop()));
});

function make(...args: Parameters<typeof fixtureBackend>): ReturnType<typeof fixtureBackend> {
  const made = fixtureBackend(...args);
  started.push(made.backend);
  return made;
}

const textOf = (result: Record<string, unknown>): string => (result["content"] as Array<{ text: string }>)[0]!.text;

describe("era detection", () => {
  it("a modern-only backend (refuses initialize) is detected by server/discover and becomes ready", async () => {
    const { backend, logger } = make("modern", fixtureServer("modern-backend", ["--list-ttl", "30000"]));
    await backend.start();
    expect(backend.state).toBe("ready");
    expect(backend.backendSession).toMatchObject({ era: "modern", protocolVersion: "2026-07-28", serverInfo: { name: "modern" } });
    expect(backend.tools.map((tool) => tool.name)).toContain("ask");
    expect(backend.cacheHint("tools")).toEqual({ ttlMs: 30000, cacheScope: "public" });
    expect(logger.lines.some((line) => /ready: .*protocol 2026-07-28/.test(line))).toBe(true);
  });

  it("a legacy backend is detected as legacy (its -32601 to server/discover) and served as before", async () => {
    const { backend } = make("echo", fixtureServer("echo-backend"));
    await backend.start();
    expect(backend.backendSession).toMatchObject({ era: "legacy", protocolVersion: "2025-11-25" });
    expect(backend.cacheHint("tools")).toBeUndefined();
    expect(backend.probeMs).toBeGreaterThan(0);
    expect(textOf(await backend.request("tools/call", { name: "echo", arguments: { text: "hi" } }))).toBe("hi");
  });

  it("a legacy backend that never answers server/discover is taken for legacy after probeTimeout", async () => {
    const { backend } = make("silent", fixtureServer("modern-probe-silent-backend", [], { probeTimeoutMs: 300 }));
    await backend.start();
    expect(backend.state).toBe("ready");
    expect(backend.backendSession?.era).toBe("legacy");
    expect(backend.probeMs).toBeGreaterThanOrEqual(300);
  });

  it('era "legacy" skips the probe; era "modern" on a legacy server fails clearly', async () => {
    const { backend } = make("pinned", fixtureServer("modern-probe-silent-backend", [], { era: "legacy", probeTimeoutMs: 5000 }));
    await backend.start();
    expect(backend.backendSession?.era).toBe("legacy");
    expect(backend.probeMs).toBe(0);

    const wrong = make("wrong", fixtureServer("echo-backend", [], { era: "modern", restart: { maxAttempts: 0, initialDelayMs: 100, maxDelayMs: 100 } }));
    await wrong.backend.start();
    expect(wrong.backend.state).toBe("failed");
    expect(wrong.backend.stats().lastError).toMatch(/configured as a modern server/);
  });

  it("probes again after a restart (each start is a new process)", async () => {
    const { backend } = make("modern", fixtureServer("modern-backend"));
    await backend.start();
    const firstPid = backend.stats().pid;
    process.kill(firstPid!, "SIGKILL");
    await new Promise<void>((resolve) => {
      const off = backend.events.on("stateChanged", (state) => {
        if (state === "ready") {
          off();
          resolve();
        }
      });
    });
    expect(backend.stats().pid).not.toBe(firstPid);
    expect(backend.backendSession?.era).toBe("modern");
    const received = JSON.parse(textOf(await backend.request("tools/call", { name: "received", arguments: {} }))) as string[];
    expect(received[0]).toBe("server/discover");
  });
});

describe("requests to a modern backend", () => {
  it("carry the modern _meta: our client info, the served client's capabilities (within policy), the log level set", async () => {
    const { backend } = make("modern", fixtureServer("modern-backend"));
    await backend.start();
    const served = { sampling: {}, elicitation: { form: {} }, roots: { listChanged: true }, experimental: { x: {} } };
    let meta = JSON.parse(textOf(await backend.request("tools/call", { name: "meta", arguments: {} }, { clientCapabilities: served })));
    expect(meta[MetaKey.ProtocolVersion]).toBe("2026-07-28");
    expect(meta[MetaKey.ClientInfo]).toMatchObject({ name: "mcp-switchboard" });
    // A shared server without config roots is not handed a client's roots.
    expect(meta[MetaKey.ClientCapabilities]).toEqual({ sampling: {}, elicitation: { form: {} } });
    expect(meta[MetaKey.LogLevel]).toBeUndefined();

    await backend.request("logging/setLevel", { level: "info" });
    meta = JSON.parse(textOf(await backend.request("tools/call", { name: "meta", arguments: {} })));
    expect(meta[MetaKey.LogLevel]).toBe("info");
    expect(meta[MetaKey.ClientCapabilities]).toEqual({});
  });

  it("never get ping, logging/setLevel or resources/subscribe; subscriptions go into subscriptions/listen", async () => {
    const { backend } = make("modern", fixtureServer("modern-backend"));
    const updates: unknown[] = [];
    backend.events.on("notification", (method, params) => {
      if (method === "notifications/resources/updated") updates.push(params?.["uri"]);
    });
    await backend.start();
    await backend.request("ping", {});
    await backend.request("logging/setLevel", { level: "debug" });
    await backend.request("resources/subscribe", { uri: "demo://counter" });
    await backend.request("tools/call", { name: "touch", arguments: { uri: "demo://counter" } });
    await expect.poll(() => updates).toEqual(["demo://counter"]);
    await backend.request("resources/unsubscribe", { uri: "demo://counter" });
    await backend.request("tools/call", { name: "touch", arguments: { uri: "demo://counter" } });
    const received = JSON.parse(textOf(await backend.request("tools/call", { name: "received", arguments: {} }))) as string[];
    for (const removed of ["ping", "logging/setLevel", "resources/subscribe", "resources/unsubscribe", "initialize"]) expect(received).not.toContain(removed);
    expect(received.filter((method) => method === "subscriptions/listen").length).toBeGreaterThanOrEqual(2);
    expect(updates).toEqual(["demo://counter"]);
  });

  it("a list change heard on subscriptions/listen re-lists the catalog", async () => {
    const { backend, changes } = make("modern", fixtureServer("modern-backend"));
    await backend.start();
    const before = changes.count;
    await backend.request("tools/call", { name: "add_tool", arguments: { name: "late" } });
    await expect.poll(() => backend.tools.map((tool) => tool.name)).toContain("late");
    expect(changes.count).toBeGreaterThan(before);
  });

  it("an input_required answer comes back as it is from Backend.request (the gateway answers it)", async () => {
    const { backend } = make("modern", fixtureServer("modern-backend"));
    await backend.start();
    const result = await backend.request("tools/call", { name: "ask", arguments: {} });
    expect(result["resultType"]).toBe("input_required");
    await expect(backend.request("tools/call", { name: "nope", arguments: {} })).rejects.toBeInstanceOf(JsonRpcError);
  });
});

describe("subscriptions/listen to a modern backend", () => {
  it("is reopened after the backend ends it, with the same filter, and change events flow again", async () => {
    const { backend, logger } = make("modern", fixtureServer("modern-backend"));
    await backend.start();
    await backend.request("resources/subscribe", { uri: "demo://counter" });
    const listens = async (): Promise<unknown[]> => JSON.parse(textOf(await backend.request("tools/call", { name: "listens", arguments: {} })));
    await expect.poll(listens).toEqual([{ toolsListChanged: true, resourceSubscriptions: ["demo://counter"] }]);
    await backend.request("tools/call", { name: "end_listens", arguments: {} });
    expect(await listens()).toEqual([]);
    await expect.poll(listens, { timeout: 5000 }).toEqual([{ toolsListChanged: true, resourceSubscriptions: ["demo://counter"] }]);
    expect(logger.lines.some((line) => /subscriptions\/listen ended it; listening again/.test(line))).toBe(true);
    await backend.request("tools/call", { name: "add_tool", arguments: { name: "after" } });
    await expect.poll(() => backend.tools.map((tool) => tool.name)).toContain("after");
  });

  it("is cancelled when the backend stops", async () => {
    const { backend } = make("modern", fixtureServer("modern-backend"));
    await backend.start();
    expect(backend.stats().inFlight).toBe(1);
    await backend.stop();
    expect(backend.stats().inFlight).toBe(0);
  });
});
