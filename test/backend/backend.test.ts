import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Backend } from "../../src/backend/backend.js";
import { liveChildren } from "../../src/backend/child-process.js";
import { JsonRpcError } from "../../src/jsonrpc/errors.js";
import { SwitchboardError } from "../../src/jsonrpc/local-error.js";
import { fixtureBackend, fixtureServer } from "../helpers/backend.js";
import { alive, waitFor } from "../helpers/procfs.js";

const started: Backend[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((backend) => backend.stop()));
});

function track<T extends { backend: Backend }>(made: T): T {
  started.push(made.backend);
  return made;
}

function tempFile(name: string): string {
  return join(mkdtempSync(join(tmpdir(), "sb-backend-")), name);
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<SwitchboardError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SwitchboardError);
  expect((error as SwitchboardError).code).toBe(code);
  return error as SwitchboardError;
}

describe("Backend", () => {
  it("handshakes, lists tools and forwards calls", async () => {
    const { backend } = track(fixtureBackend("echo", fixtureServer("echo-backend")));
    await backend.start();
    expect(backend.state).toBe("ready");
    expect(backend.tools.map((tool) => tool.name)).toContain("echo");
    expect(backend.backendSession?.protocolVersion).toBe("2025-11-25");
    const result = await backend.request("tools/call", { name: "echo", arguments: { text: "hi" } });
    expect(result).toEqual({ content: [{ type: "text", text: "hi" }] });
  });

  it("follows nextCursor to the last page", async () => {
    const { backend } = track(fixtureBackend("many", fixtureServer("many-tools-backend", ["--count", "250", "--page-size", "100"])));
    await backend.start();
    expect(backend.tools).toHaveLength(250);
    expect(backend.tools[0]!.name).toBe("tool_0000");
    expect(backend.tools[249]!.name).toBe("tool_0249");
  });

  it("fails a call in flight at once when the backend crashes, then restarts and serves again", async () => {
    const markers = tempFile("starts.txt");
    const { backend, changes } = track(fixtureBackend("crashy", fixtureServer("crash-backend", [], { env: { CRASH_MARKER_FILE: markers } })));
    await backend.start();
    const before = changes.count;
    const t0 = Date.now();
    const error = await expectCode(backend.request("tools/call", { name: "crash", arguments: {} }), "BACKEND_EXITED");
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(error.message).toMatch(/backend "crashy" exited with code 1 while handling tools\/call/);
    expect(backend.tools).toHaveLength(0);
    expect(changes.count).toBeGreaterThan(before);
    await waitFor(() => backend.state === "ready", 5000, "restart");
    expect(backend.stats().restarts).toBe(1);
    expect(readFileSync(markers, "utf8").trim().split("\n")).toHaveLength(2);
    const result = await backend.request("tools/call", { name: "echo", arguments: { text: "back" } });
    expect(result).toEqual({ content: [{ type: "text", text: "back" }] });
  });

  it("a backend that closes its output but keeps running is stopped, fails the call in flight at once, and is restarted", async () => {
    const { backend, changes } = track(fixtureBackend("mute", fixtureServer("closes-stdout-backend")));
    await backend.start();
    const pid = backend.stats().pid!;
    expect(alive(pid)).toBe(true);
    const before = changes.count;
    const t0 = Date.now();
    const error = await expectCode(backend.request("tools/call", { name: "close_stdout", arguments: {} }), "BACKEND_EXITED");
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(error.message).toMatch(/^backend "mute" closed its output while handling tools\/call; it is being restarted/);
    expect(backend.state).not.toBe("ready");
    expect(backend.tools).toHaveLength(0);
    expect(changes.count).toBeGreaterThan(before);
    const refused = await expectCode(backend.request("tools/call", { name: "echo", arguments: { text: "x" } }), "BACKEND_UNAVAILABLE");
    expect(refused.message).toMatch(/backend "mute" is restarting after: closed its output/);
    await waitFor(() => !alive(pid), 3000, "the mute child stopped");
    await waitFor(() => backend.state === "ready", 5000, "restart");
    expect(backend.stats().restarts).toBe(1);
    expect(backend.stats().pid).not.toBe(pid);
    expect(backend.tools.map((tool) => tool.name)).toContain("echo");
    expect(await backend.request("tools/call", { name: "echo", arguments: { text: "back" } })).toEqual({ content: [{ type: "text", text: "back" }] });
  });

  it("refuses calls while down with a clear error instead of hanging", async () => {
    const { backend } = track(
      fixtureBackend("crashy", fixtureServer("crash-backend", [], { restart: { maxAttempts: 3, initialDelayMs: 2000, maxDelayMs: 2000 } })),
    );
    await backend.start();
    await expectCode(backend.request("tools/call", { name: "crash", arguments: {} }), "BACKEND_EXITED");
    const error = await expectCode(backend.request("tools/call", { name: "echo", arguments: { text: "x" } }), "BACKEND_UNAVAILABLE");
    expect(error.message).toMatch(/backend "crashy" is restarting/);
  });

  it("gives up after maxAttempts consecutive failed starts and says so", async () => {
    const { backend, logger } = track(
      fixtureBackend("broken", fixtureServer("crash-backend", ["--crash-on-start"], { restart: { maxAttempts: 2, initialDelayMs: 50, maxDelayMs: 100 } })),
    );
    await backend.start();
    await waitFor(() => backend.state === "failed", 5000, "failed state");
    expect(backend.stats().lastError).toMatch(/exited with code 3/);
    expect(logger.lines.some((line) => /giving up after 2 restart attempts/.test(line))).toBe(true);
    await expectCode(backend.request("tools/list", {}), "BACKEND_UNAVAILABLE");
  });

  it("reports a command that does not exist", async () => {
    const { backend } = track(
      fixtureBackend("missing", { ...fixtureServer("echo-backend"), command: "/definitely/not/here", restart: { maxAttempts: 0, initialDelayMs: 10, maxDelayMs: 10 } }),
    );
    await backend.start();
    expect(backend.state).toBe("failed");
    expect(backend.stats().lastError).toMatch(/ENOENT/);
  });

  it("times out a hanging call, tells the backend, and leaks no pending entry", async () => {
    const { backend } = track(fixtureBackend("hangs", fixtureServer("hang-backend", [], { timeoutMs: 300 })));
    await backend.start();
    const error = await expectCode(backend.request("tools/call", { name: "hang", arguments: {} }), "REQUEST_TIMEOUT");
    expect(error.message).toMatch(/backend "hangs" did not answer tools\/call within 300 ms/);
    expect(backend.stats().inFlight).toBe(0);
    // The backend still serves.
    expect(await backend.request("tools/call", { name: "echo", arguments: { text: "ok" } })).toEqual({ content: [{ type: "text", text: "ok" }] });
  });

  it("fails startup when the handshake hangs, within the startup timeout", async () => {
    const { backend } = track(
      fixtureBackend("slowinit", fixtureServer("hang-backend", ["--hang-initialize"], { startupTimeoutMs: 300, restart: { maxAttempts: 0, initialDelayMs: 10, maxDelayMs: 10 } })),
    );
    const t0 = Date.now();
    await backend.start();
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(backend.state).toBe("failed");
    expect(backend.stats().lastError).toMatch(/did not finish its handshake within 300 ms/);
  });

  it("skips garbage on stdout and keeps working", async () => {
    const { backend, logger } = track(fixtureBackend("garbage", fixtureServer("garbage-backend")));
    await backend.start();
    expect(backend.state).toBe("ready");
    const result = await backend.request("tools/call", { name: "garbage_then_echo", arguments: { text: "still here" } });
    expect(result).toEqual({ content: [{ type: "text", text: "still here" }] });
    expect(logger.lines.some((line) => /invalid message from backend "garbage" skipped/.test(line))).toBe(true);
  });

  it("skips a line over the message limit with bounded memory", async () => {
    const { backend, logger } = track(fixtureBackend("huge", fixtureServer("garbage-backend"), { maxMessageBytes: 1024 * 1024 }));
    await backend.start();
    const result = await backend.request("tools/call", { name: "huge_line", arguments: { bytes: 8 * 1024 * 1024 } });
    expect(result).toEqual({ content: [{ type: "text", text: "after huge" }] });
    expect(logger.lines.some((line) => /exceeds the limit of 1048576 bytes/.test(line))).toBe(true);
  });

  it("re-lists tools on notifications/tools/list_changed", async () => {
    const { backend, changes } = track(fixtureBackend("dyn", fixtureServer("echo-backend")));
    await backend.start();
    const before = changes.count;
    await backend.request("tools/call", { name: "add_tool", arguments: { name: "dynamic_one" } });
    await waitFor(() => backend.tools.some((tool) => tool.name === "dynamic_one"), 5000, "re-list");
    expect(changes.count).toBeGreaterThan(before);
  });

  it("keeps a list_changed that arrives during the handshake, on the first start and after a restart", async () => {
    const { backend } = track(fixtureBackend("late", fixtureServer("late-tools-backend")));
    await backend.start();
    await waitFor(() => backend.tools.some((tool) => tool.name === "late"), 3000, "the late tool after the first start");
    await expectCode(backend.request("tools/call", { name: "crash", arguments: {} }), "BACKEND_EXITED");
    await waitFor(() => backend.state === "ready", 5000, "restart");
    await waitFor(() => backend.tools.some((tool) => tool.name === "late"), 3000, "the late tool after the restart");
    expect(backend.stats().restarts).toBe(1);
  });

  it("escalates to SIGKILL for a backend that ignores stdin close and SIGTERM", async () => {
    const pidFile = tempFile("pid");
    const { backend } = track(fixtureBackend("stubborn", fixtureServer("ignores-sigterm-backend", [], { env: { PID_FILE: pidFile } })));
    await backend.start();
    await waitFor(() => existsSync(pidFile), 5000, "pid file");
    const pid = Number(readFileSync(pidFile, "utf8"));
    expect(alive(pid)).toBe(true);
    const t0 = Date.now();
    await backend.stop();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(alive(pid)).toBe(false);
  });

  it("kills the whole process group, grandchildren included", async () => {
    const pidFile = tempFile("grandchild");
    const { backend } = track(fixtureBackend("family", fixtureServer("grandchild-backend", [], { env: { GRANDCHILD_PID_FILE: pidFile } })));
    await backend.start();
    await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, "utf8").trim() !== "", 5000, "grandchild pid");
    const grandchild = Number(readFileSync(pidFile, "utf8"));
    expect(alive(grandchild)).toBe(true);
    await backend.stop();
    await waitFor(() => !alive(grandchild), 3000, "grandchild gone");
  });

  it("passes only the safe environment unless told otherwise", async () => {
    const { backend } = track(
      fixtureBackend("env", fixtureServer("echo-backend", [], { env: { FIXTURE_NAME: "custom" } }), {
        parentEnv: { PATH: process.env["PATH"], SECRET_TOKEN: "hunter2" },
      }),
    );
    await backend.start();
    expect(backend.backendSession?.serverInfo.name).toBe("custom");
    const envOf = async (name: string) =>
      ((await backend.request("tools/call", { name: "env", arguments: { name } })) as { content: Array<{ text: string }> }).content[0]!.text;
    expect(await envOf("SECRET_TOKEN")).toBe("<unset>");
    expect(await envOf("PATH")).toBe(process.env["PATH"]);
  });

  it("passes the whole parent environment with inheritEnv", async () => {
    const { backend } = track(
      fixtureBackend("envall", fixtureServer("echo-backend", [], { inheritEnv: true }), {
        parentEnv: { PATH: process.env["PATH"], SECRET_TOKEN: "hunter2" },
      }),
    );
    await backend.start();
    const result = (await backend.request("tools/call", { name: "env", arguments: { name: "SECRET_TOKEN" } })) as { content: Array<{ text: string }> };
    expect(result.content[0]!.text).toBe("hunter2");
  });

  it("rejects with the backend's own JSON-RPC error untouched", async () => {
    const { backend } = track(fixtureBackend("echo", fixtureServer("echo-backend")));
    await backend.start();
    const error = await backend.request("tools/call", { name: "nope", arguments: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JsonRpcError);
    expect((error as JsonRpcError).code).toBe(-32602);
  });

  it("isolates its listeners: one that throws is logged, the others and the backend go on", async () => {
    const { backend, logger } = track(fixtureBackend("echo", fixtureServer("echo-backend")));
    const states: string[] = [];
    backend.events.on("stateChanged", () => {
      throw new Error("listener broke");
    });
    backend.events.on("stateChanged", (state, previous) => void states.push(`${previous}→${state}`));
    await backend.start();
    expect(backend.state).toBe("ready");
    expect(states).toEqual(["starting→ready"]);
    expect(logger.lines.some((line) => /error: a listener of backend "echo" failed on stateChanged: Error: listener broke/.test(line))).toBe(true);
    expect(await backend.request("tools/call", { name: "echo", arguments: { text: "on" } })).toEqual({ content: [{ type: "text", text: "on" }] });
  });

  it("a request it cannot serialise fails as ours, not as the backend's exit, and the backend stays ready", async () => {
    const { backend } = track(fixtureBackend("echo", fixtureServer("echo-backend")));
    await backend.start();
    const error = await backend.request("tools/call", { name: "echo", arguments: { n: 10n as unknown as number } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SwitchboardError);
    expect((error as SwitchboardError).code).not.toBe("BACKEND_EXITED");
    expect((error as SwitchboardError).message).not.toMatch(/exited|closed its output|restart/);
    expect(backend.state).toBe("ready");
    expect(await backend.request("tools/call", { name: "echo", arguments: { text: "still" } })).toEqual({ content: [{ type: "text", text: "still" }] });
  });

  it("stops every child it started", async () => {
    const made = [1, 2, 3].map((n) => track(fixtureBackend(`b${n}`, fixtureServer("echo-backend"))));
    await Promise.all(made.map(({ backend }) => backend.start()));
    const before = liveChildren();
    expect(before).toBeGreaterThanOrEqual(3);
    await Promise.all(made.map(({ backend }) => backend.stop()));
    expect(liveChildren()).toBe(before - 3);
  });
  it("a prompts-only server starts: only the kinds its capabilities declare are listed, each re-listed on its own list_changed", async () => {
    const { backend, logger } = track(fixtureBackend("words", fixtureServer("prompts-backend")));
    const kinds: string[] = [];
    backend.events.on("catalogChanged", (kind) => void kinds.push(kind));
    await backend.start();
    expect(backend.state).toBe("ready");
    expect(backend.entries("prompts").map((prompt) => prompt["name"])).toEqual(["greet", "grow", "crash"]);
    expect(backend.tools).toHaveLength(0);
    expect(logger.lines.join("\n")).not.toMatch(/tools\/list/);
    kinds.length = 0;
    await backend.request("prompts/get", { name: "grow" });
    await waitFor(() => backend.entries("prompts").length === 4, 3000, "the grown prompt");
    expect(kinds).toEqual(["prompts"]);
  });
});
