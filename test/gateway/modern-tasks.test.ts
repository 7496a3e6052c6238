import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixture } from "../helpers/paths.js";
import { rawRequest, type RawResponse } from "../helpers/raw-http.js";
import { startHttpSwitchboard, writeConfig, type SwitchboardProcess } from "../helpers/switchboard-process.js";
import { modernMeta, RawStdio } from "../front/modern-helpers.js";

/**
 * The tasks extension (io.modelcontextprotocol/tasks) for modern clients,
 * through the real switchboard process: a modern backend that speaks it
 * (test/conformance/modern-tasks-backend.mjs) behind the HTTP and stdio fronts,
 * and a legacy backend with 2025-11-25 tasks (fixtures/legacy-tasks-backend.mjs)
 * whose tasks the switchboard translates.
 */

const EXT = "io.modelcontextprotocol/tasks";
const TASKS_BACKEND = new URL("../conformance/modern-tasks-backend.mjs", import.meta.url).pathname;
const WITH_EXT = { "io.modelcontextprotocol/clientCapabilities": { elicitation: {}, extensions: { [EXT]: {} } } };

type Answer = { result?: Record<string, unknown>; error?: { code: number; message: string; data?: Record<string, unknown> } };

let sb: SwitchboardProcess;
let config: string;
let nextId = 1;

beforeAll(async () => {
  config = writeConfig({
    logLevel: "info",
    servers: {
      tasks: { type: "stdio", command: process.execPath, args: [TASKS_BACKEND], prefix: false },
      echo: { type: "stdio", command: process.execPath, args: [fixture("echo-backend")], prefix: true },
      legacy: { type: "stdio", command: process.execPath, args: [new URL("./fixtures/legacy-tasks-backend.mjs", import.meta.url).pathname], prefix: true },
    },
  });
  sb = await startHttpSwitchboard(config);
});

afterAll(async () => {
  expect(await sb.stop()).toBe(0);
});

/** A modern request over HTTP with the headers a conforming client sends; `meta` adds to its _meta. */
async function call(method: string, params: Record<string, unknown>, meta: Record<string, unknown> = WITH_EXT): Promise<Answer & { status: number }> {
  const body = { jsonrpc: "2.0", id: nextId++, method, params: { ...params, _meta: modernMeta(meta) } };
  const mirrored = method === "tools/call" ? params["name"] : method.startsWith("tasks/") ? params["taskId"] : undefined;
  const name: Record<string, string> = typeof mirrored === "string" ? { "Mcp-Name": mirrored } : {};
  const res: RawResponse = await rawRequest(sb.url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json", "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": method, ...name },
    body: JSON.stringify(body),
  });
  return { status: res.status, ...(JSON.parse(res.body) as Answer) };
}

async function result(method: string, params: Record<string, unknown>, meta?: Record<string, unknown>): Promise<Record<string, unknown>> {
  const answer = await call(method, params, meta);
  if (!answer.result) throw new Error(`${method} failed: ${JSON.stringify(answer.error)}`);
  return answer.result;
}

/** tasks/get until `done` holds (at most 5 s). */
async function until(taskId: string, done: (task: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const task = await result("tasks/get", { taskId });
    if (done(task) || Date.now() > deadline) return task;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const terminal = (task: Record<string, unknown>) => ["completed", "failed", "cancelled"].includes(String(task["status"]));

describe("tasks extension for modern clients (carried from a backend that speaks it)", () => {
  it("server/discover declares the extension under capabilities.extensions, not the 2025-11-25 tasks slot", async () => {
    await result("tools/list", {}); // the backends have started: what they declared counts, not what they may bring
    const discovered = await result("server/discover", {});
    const capabilities = discovered["capabilities"] as Record<string, unknown>;
    expect(capabilities["extensions"]).toEqual({ [EXT]: {} });
    expect(capabilities["tasks"]).toBeUndefined();
  });

  it("a task-supporting tool answers a flat CreateTaskResult whose id is ours; tasks/get polls it to its inlined result", async () => {
    const created = await result("tools/call", { name: "slow_compute", arguments: { seconds: 0.2, label: "x" } });
    expect(created).toMatchObject({ resultType: "task", status: "working", ttlMs: expect.any(Number) });
    expect(created["task"]).toBeUndefined();
    const taskId = String(created["taskId"]);
    expect(taskId).toMatch(/^[0-9a-f-]{36}$/);
    const done = await until(taskId, terminal);
    expect(done).toMatchObject({ resultType: "complete", taskId, status: "completed", result: { content: [{ type: "text", text: "computed x after 0.2s" }] } });
  });

  it("tasks/cancel is an empty acknowledgement, and the task is then cancelled", async () => {
    const { taskId } = (await result("tools/call", { name: "slow_compute", arguments: { seconds: 60 } })) as { taskId: string };
    expect(await result("tasks/cancel", { taskId })).toEqual({ resultType: "complete" });
    expect(await result("tasks/get", { taskId })).toMatchObject({ taskId, status: "cancelled" });
  });

  it("a task waiting for input shows its inputRequests; tasks/update answers them and the task completes", async () => {
    const { taskId } = (await result("tools/call", { name: "confirm_delete", arguments: { filename: "a.txt" } })) as { taskId: string };
    const waiting = await until(taskId, (task) => task["status"] === "input_required");
    const keys = Object.keys(waiting["inputRequests"] as Record<string, unknown>);
    expect(keys).toEqual(["confirm"]);
    expect(await result("tasks/update", { taskId, inputResponses: { confirm: { action: "accept", content: { confirm: true } } } })).toEqual({ resultType: "complete" });
    expect(await until(taskId, terminal)).toMatchObject({ status: "completed", result: { content: [{ text: "Deleted a.txt" }] } });
  });

  it("an MRTR round before the task: input_required passes through, the retry's CreateTaskResult gets our id", async () => {
    const first = await result("tools/call", { name: "test_tool_with_task", arguments: {} });
    expect(first["resultType"]).toBe("input_required");
    expect(first["taskId"]).toBeUndefined();
    const retry = { name: "test_tool_with_task", arguments: {}, inputResponses: { user_name: { action: "accept", content: { name: "Alice" } } }, requestState: first["requestState"] };
    const created = await result("tools/call", retry);
    expect(created["resultType"]).toBe("task");
    expect(await until(String(created["taskId"]), terminal)).toMatchObject({ status: "completed", result: { content: [{ text: "Hello, Alice!" }] } });
  });

  it("without the extension declared: tasks/get, tasks/update, tasks/cancel are -32021 naming it; tools run synchronously", async () => {
    const none = { "io.modelcontextprotocol/clientCapabilities": {} };
    for (const [method, params] of [
      ["tasks/get", { taskId: "x" }],
      ["tasks/update", { taskId: "x", inputResponses: {} }],
      ["tasks/cancel", { taskId: "x" }],
    ] as const) {
      const answer = await call(method, params, none);
      expect(answer.error?.code, method).toBe(-32021);
      expect(answer.error?.data).toEqual({ requiredCapabilities: { extensions: { [EXT]: {} } } });
    }
    const sync = await result("tools/call", { name: "slow_compute", arguments: { seconds: 0 } }, none);
    expect(sync).toMatchObject({ resultType: "complete", content: [{ type: "text" }] });
    expect(sync["taskId"]).toBeUndefined();
  });

  it("an id that is not ours is -32602 (the backend's own ids do not work either); tasks/result and tasks/list are -32601", async () => {
    expect((await call("tasks/get", { taskId: "not-a-task" })).error?.code).toBe(-32602);
    expect((await call("tasks/cancel", { taskId: "not-a-task" })).error?.code).toBe(-32602);
    const removed = await call("tasks/result", { taskId: "x" });
    expect([removed.status, removed.error?.code]).toEqual([404, -32601]);
    expect((await call("tasks/list", {})).error?.code).toBe(-32601);
  });

  it("a modern client's legacy `task` param is ignored: a sync tool stays sync", async () => {
    const answer = await result("tools/call", { name: "proxy.echo.echo", arguments: { text: "hi" }, task: { ttl: 60_000 } });
    expect(answer["resultType"]).toBe("complete");
    expect(answer["taskId"]).toBeUndefined();
  });

  it("over stdio too: a task created and polled with single modern requests", async () => {
    const stdio = new RawStdio(config);
    try {
      const meta = modernMeta(WITH_EXT);
      const created = (await stdio.request({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "slow_compute", arguments: { seconds: 0 }, _meta: meta } })) as Answer;
      expect(created.result?.["resultType"]).toBe("task");
      const taskId = String(created.result?.["taskId"]);
      const updated = (await stdio.request({ jsonrpc: "2.0", id: 2, method: "tasks/update", params: { taskId, inputResponses: {}, _meta: meta } })) as Answer;
      expect(updated.result).toEqual({ resultType: "complete" });
      const got = (await stdio.request({ jsonrpc: "2.0", id: 3, method: "tasks/get", params: { taskId, _meta: meta } })) as Answer;
      expect(got.result?.["taskId"]).toBe(taskId);
    } finally {
      await stdio.close();
    }
  });
});

describe("tasks extension for modern clients, translated from a legacy backend's 2025-11-25 tasks", () => {
  it("the switchboard makes the task-augmented call: a flat CreateTaskResult with our id, ttlMs and pollIntervalMs", async () => {
    const created = await result("tools/call", { name: "proxy.legacy.slow", arguments: { ms: 100 } });
    expect(created).toMatchObject({ resultType: "task", status: "working", ttlMs: 60_000, pollIntervalMs: 100 });
    for (const key of ["task", "ttl", "pollInterval"]) expect(created[key], key).toBeUndefined();
    expect(String(created["taskId"])).not.toMatch(/^legacy-/);
    const done = await until(String(created["taskId"]), terminal);
    expect(done).toMatchObject({ resultType: "complete", status: "completed", result: { content: [{ type: "resource_link", uri: expect.stringMatching(/^switchboard:\/\/legacy\//) }] } });
    expect((done["result"] as Record<string, unknown>)["_meta"]).toBeUndefined();
  });

  it("without the extension an optional-task tool is an ordinary call and a task-only tool is -32021", async () => {
    const none = { "io.modelcontextprotocol/clientCapabilities": {} };
    const sync = await result("tools/call", { name: "proxy.legacy.slow", arguments: {} }, none);
    expect(sync).toMatchObject({ resultType: "complete", content: [{ type: "resource_link" }] });
    const refused = await call("tools/call", { name: "proxy.legacy.fails", arguments: {} }, none);
    expect(refused.error?.code).toBe(-32021);
    expect(refused.error?.data).toEqual({ requiredCapabilities: { extensions: { [EXT]: {} } } });
  });

  it("a tool error is a completed task with result.isError; a JSON-RPC error from tasks/result is a failed task with error", async () => {
    const fails = (await result("tools/call", { name: "proxy.legacy.fails", arguments: {} })) as { taskId: string };
    expect(await until(fails.taskId, terminal)).toMatchObject({ status: "completed", result: { isError: true } });
    const broken = (await result("tools/call", { name: "proxy.legacy.broken", arguments: {} })) as { taskId: string };
    const failed = await until(broken.taskId, terminal);
    expect(failed).toMatchObject({ status: "failed", error: { code: -32603, message: "internal failure" } });
    expect(failed["result"]).toBeUndefined();
  });

  it("tasks/cancel is acknowledged, and again once the task is over (the backend's -32602 for a finished task is not passed on)", async () => {
    const { taskId } = (await result("tools/call", { name: "proxy.legacy.slow", arguments: { ms: 60_000 } })) as { taskId: string };
    expect(await result("tasks/cancel", { taskId })).toEqual({ resultType: "complete" });
    expect(await result("tasks/get", { taskId })).toMatchObject({ status: "cancelled" });
    expect(await result("tasks/cancel", { taskId })).toEqual({ resultType: "complete" });
  });
});
