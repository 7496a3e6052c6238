import { describe, expect, it, type TestContext } from "vitest";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { CreateTaskResultSchema, McpError, TaskStatusNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { fixture, nodeModule } from "../helpers/paths.js";
import { initializeBody, jsonHeaders, rawRequest } from "../helpers/raw-http.js";
import { connectHttp, connectStdio } from "../helpers/sdk.js";
import { startHttpSwitchboard, writeConfig } from "../helpers/switchboard-process.js";

/**
 * Tasks (2025-11-25, experimental) through the switchboard, with
 * server-everything (which declares `tasks` and serves the task-only tool
 * `simulate-research-query`) and the official SDK client: a task-augmented
 * call runs to completion, each client sees only its own tasks, a task id
 * that is not the client's own is -32602, cancel reaches the backend.
 * The tests run concurrently: a research task takes server-everything
 * about four seconds of sleeping.
 */

const EVERYTHING = nodeModule("@modelcontextprotocol/server-everything/dist/index.js");
const everything = (extra: Record<string, unknown> = {}) => ({ type: "stdio", command: process.execPath, args: [EVERYTHING, "stdio"], ...extra });
const RESEARCH = "proxy.everything.simulate-research-query";

/** Stop `item` when the test ends (each test its own: they run concurrently). */
function stopAtEnd(context: TestContext, item: { stop(): Promise<unknown> }): void {
  context.onTestFinished(async () => {
    await item.stop().catch(() => undefined);
  });
}

/** A client's `notifications/tasks/status`, as task id → statuses. */
type StatusLog = Map<string, string[]>;

async function httpClients(context: TestContext, config: unknown, names: string[]): Promise<Array<{ client: Client; statuses: StatusLog }>> {
  const sb = await startHttpSwitchboard(writeConfig(config));
  stopAtEnd(context, sb);
  const clients: Array<{ client: Client; statuses: StatusLog }> = [];
  for (const name of names) {
    const statuses: StatusLog = new Map();
    const client = await connectHttp(sb.url, name, { setup: (c) => c.setNotificationHandler(TaskStatusNotificationSchema, (n) => void record(statuses, n.params)) });
    stopAtEnd(context, { stop: () => client.close() });
    clients.push({ client, statuses });
  }
  return clients;
}

function record(log: StatusLog, task: { taskId: string; status: string }): void {
  log.set(task.taskId, [...(log.get(task.taskId) ?? []), task.status]);
}

/** What the SDK's callToolStream yielded, by message type. */
interface StreamSeen {
  taskIds: string[];
  statuses: string[];
  result: unknown;
  error: unknown;
}

async function runTask(client: Client, topic: string): Promise<StreamSeen> {
  const seen: StreamSeen = { taskIds: [], statuses: [], result: undefined, error: undefined };
  const stream = client.experimental.tasks.callToolStream({ name: RESEARCH, arguments: { topic } }, undefined, { task: { ttl: 60_000 } });
  for await (const message of stream) {
    if (message.type === "taskCreated") seen.taskIds.push(message.task.taskId);
    else if (message.type === "taskStatus") seen.statuses.push(message.task.status);
    else if (message.type === "result") seen.result = message.result;
    else if (message.type === "error") seen.error = message.error;
  }
  return seen;
}

/** The whole lifecycle with one client, and a second client that must not see the first one's task. */
async function lifecycle(a: Client, b: Client | undefined): Promise<string> {
  const capabilities = a.getServerCapabilities();
  expect(capabilities?.tasks?.requests?.tools?.call).toEqual({});
  const tool = (await a.listTools()).tools.find((entry) => entry.name === RESEARCH);
  expect(tool?.execution?.taskSupport).toBe("required");

  const seen = await runTask(a, "switchboards");
  expect(seen.error).toBeUndefined();
  expect(seen.taskIds).toHaveLength(1);
  expect(seen.statuses.at(-1)).toBe("completed");
  expect(JSON.stringify(seen.result)).toContain("Research Report: switchboards");
  const ours = seen.taskIds[0] as string;
  // The result names the task by our id, never the backend's.
  const meta = (seen.result as { _meta?: Record<string, { taskId?: string }> })._meta;
  expect(meta?.["io.modelcontextprotocol/related-task"]?.taskId).toBe(ours);

  const got = await a.experimental.tasks.getTask(ours);
  expect(got.taskId).toBe(ours);
  expect(got.status).toBe("completed");
  const listed = await a.experimental.tasks.listTasks();
  expect(listed.tasks.map((task) => task.taskId)).toEqual([ours]);
  expect(listed.nextCursor).toBeUndefined();
  const badCursor = await a.experimental.tasks.listTasks("not-our-cursor").catch((error: unknown) => error);
  expect((badCursor as McpError).code).toBe(-32602);

  if (b) {
    expect((await b.experimental.tasks.listTasks()).tasks).toEqual([]);
    const stolen = await b.experimental.tasks.getTask(ours).catch((error: unknown) => error);
    expect(stolen).toBeInstanceOf(McpError);
    expect((stolen as McpError).code).toBe(-32602);
    expect((stolen as McpError).message).toMatch(/unknown task/i);
  }
  const forged = await a.experimental.tasks.getTaskResult("not-a-task-of-yours").catch((error: unknown) => error);
  expect(forged).toBeInstanceOf(McpError);
  expect((forged as McpError).code).toBe(-32602);
  return ours;
}

/** Statuses the backend reported went to the task's owner only, under our id. */
function expectStatusesOf(ours: string, owner: StatusLog, other: StatusLog): void {
  expect([...owner.keys()]).toEqual([ours]);
  expect(owner.get(ours)).toContain("completed");
  expect(other.size).toBe(0);
}

describe.concurrent("tasks through the switchboard (server-everything, SDK client)", () => {
  it("over HTTP: a task-augmented call completes via tasks/get and tasks/result; tasks/list, tasks/get and status notifications are the client's own", async (context) => {
    const [a, b] = await httpClients(context, { servers: { everything: everything() } }, ["A", "B"]);
    const ours = await lifecycle(a!.client, b!.client);
    expectStatusesOf(ours, a!.statuses, b!.statuses);
  }, 30_000);

  it("over stdio: the same lifecycle", async (context) => {
    const { client, transport } = await connectStdio(writeConfig({ servers: { everything: everything() } }));
    stopAtEnd(context, { stop: () => transport.close() });
    await lifecycle(client, undefined);
  }, 30_000);

  it("isolation \"session\": each session's tasks live on its own process and stay its own", async (context) => {
    const [a, b] = await httpClients(context, { servers: { everything: everything({ isolation: "session" }) } }, ["A", "B"]);
    const ours = await lifecycle(a!.client, b!.client);
    expectStatusesOf(ours, a!.statuses, b!.statuses);
  }, 30_000);

  it("tasks/cancel reaches the backend; a task another client cancels is refused", async (context) => {
    const [first, second] = await httpClients(context, { servers: { everything: everything() } }, ["A", "B"]);
    const a = first!.client;
    const b = second!.client;
    const created = await a.request({ method: "tools/call", params: { name: RESEARCH, arguments: { topic: "cancel me" }, task: { ttl: 60_000 } } }, CreateTaskResultSchema);
    const id = created.task.taskId;
    expect(created.task.status).toBe("working");
    const refused = await b.experimental.tasks.cancelTask(id).catch((error: unknown) => error);
    expect((refused as McpError).code).toBe(-32602);
    const cancelled = await a.experimental.tasks.cancelTask(id);
    expect(cancelled.taskId).toBe(id);
    expect(cancelled.status).toBe("cancelled");
    expect((await a.experimental.tasks.getTask(id)).status).toBe("cancelled");
    // Cancelling a terminal task is the backend's -32602, passed on.
    const again = await a.experimental.tasks.cancelTask(id).catch((error: unknown) => error);
    expect((again as McpError).code).toBe(-32602);
  }, 30_000);

  it("a tool whose server does not declare tasks is refused as a task (-32601); a client before 2025-11-25 is not advertised tasks", async (context) => {
    const sb = await startHttpSwitchboard(writeConfig({ servers: { everything: everything(), echo: { command: process.execPath, args: [fixture("echo-backend")] } } }));
    stopAtEnd(context, sb);
    const client = await connectHttp(sb.url, "A");
    stopAtEnd(context, { stop: () => client.close() });
    const refused = await client
      .request({ method: "tools/call", params: { name: "proxy.echo.echo", arguments: { text: "hi" }, task: {} } }, CreateTaskResultSchema)
      .catch((error: unknown) => error);
    expect((refused as McpError).code).toBe(-32601);
    expect((refused as McpError).message).toMatch(/backend "echo" cannot run as a task: that server does not declare task-augmented tools\/call/);

    const old = await rawRequest(sb.url, { method: "POST", headers: jsonHeaders(), body: initializeBody(1, "2025-06-18") });
    const capabilities = (JSON.parse(old.body) as { result: { capabilities: Record<string, unknown> } }).result.capabilities;
    expect(capabilities["tools"]).toBeDefined();
    expect(capabilities["tasks"]).toBeUndefined();
    const current = await rawRequest(sb.url, { method: "POST", headers: jsonHeaders(), body: initializeBody(1, "2025-11-25") });
    expect(JSON.parse(current.body).result.capabilities.tasks).toEqual({ list: {}, cancel: {}, requests: { tools: { call: {} } } });
  }, 30_000);
});
