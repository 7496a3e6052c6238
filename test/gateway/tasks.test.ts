import { describe, expect, it } from "vitest";
import type { Backend } from "../../src/backend/backend.js";
import type { Gateway } from "../../src/gateway/gateway.js";
import { CallContext, type ClientContext, type ClientSink } from "../../src/gateway/request-context.js";
import { ServerRequests } from "../../src/gateway/server-requests.js";
import { TaskRouter } from "../../src/gateway/tasks.js";
import { Cancellation } from "../../src/jsonrpc/cancellation.js";
import { ErrorCode, JsonRpcError } from "../../src/jsonrpc/errors.js";
import type { JsonObject } from "../../src/jsonrpc/message.js";
import { silentLogger } from "../../src/log/logger.js";
import { DEFAULT_URI_MAPPING } from "../../src/mcp/uri-mapping.js";

/**
 * The task router over a scripted backend (its answers by method): ids
 * mapped both ways, tasks/list paged and confined to the client, state
 * fallbacks, status notifications to the owner only.
 */

const TASKS_CAPABILITY = { tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } } };

/** A backend double: counts its tasks, answers tasks/* from its own table, fails on demand. */
function scriptedBackend(name: string) {
  const tasks = new Map<string, JsonObject>();
  let next = 0;
  const backend = {
    name,
    config: { isolation: "shared" },
    prefixed: true,
    capabilities: TASKS_CAPABILITY,
    failing: undefined as JsonRpcError | undefined,
    tasks,
    async request(method: string, params: JsonObject | undefined): Promise<JsonObject> {
      if (backend.failing) throw backend.failing;
      const id = String(params?.["taskId"]);
      switch (method) {
        case "tools/call": {
          const task = { taskId: `b${next++}`, status: "working", createdAt: "t", lastUpdatedAt: "t", ttl: 60_000 };
          tasks.set(task.taskId, task);
          return { task };
        }
        case "tasks/get":
        case "tasks/cancel": {
          const task = tasks.get(id);
          if (!task) throw new JsonRpcError(ErrorCode.InvalidParams, "Failed to retrieve task: Task not found");
          if (method === "tasks/cancel") task["status"] = "cancelled";
          return { ...task };
        }
        case "tasks/result":
          return {
            content: [{ type: "resource_link", uri: "demo://x", name: "x" }],
            _meta: { "io.modelcontextprotocol/related-task": { taskId: id } },
          };
        default:
          throw new JsonRpcError(ErrorCode.MethodNotFound, method);
      }
    },
  };
  return backend;
}

function setup(pageSize?: number) {
  const backend = scriptedBackend("alpha");
  const notified: Array<{ client: string; method: string; params: JsonObject | undefined }> = [];
  const sinkOf = (id: string): ClientSink => ({
    client: client(id),
    notify: (method, params) => void notified.push({ client: id, method, params }),
    request: () => Promise.reject(new Error("not used")),
  });
  const gateway = {
    serverRequests: new ServerRequests(() => undefined, silentLogger),
    exposure: { uris: DEFAULT_URI_MAPPING },
    activity: 0,
    backend: (name: string) => (name === "alpha" ? (backend as unknown as Backend) : undefined),
  } as unknown as Gateway;
  const router = new TaskRouter(gateway, sinkOf, pageSize === undefined ? {} : { pageSize });
  return { router, backend, notified };
}

function client(id: string): ClientContext {
  return { id, front: "http", era: "legacy", protocolVersion: "2025-11-25", clientInfo: undefined, capabilities: {}, initialized: true };
}

function context(clientId: string): CallContext {
  return new CallContext(client(clientId), 1, new Cancellation(), undefined, async () => undefined, () => undefined);
}

const route = { kind: "backend", source: { name: "alpha" }, identity: "slow" } as const;

async function create(router: TaskRouter, clientId: string): Promise<string> {
  const result = await router.callTool(route as never, {}, { ttl: 1000 }, context(clientId));
  return String((result["task"] as JsonObject)["taskId"]);
}

/** Every task id `clientId` lists, following the cursors. */
async function listAll(router: TaskRouter, clientId: string): Promise<unknown[]> {
  const ids: unknown[] = [];
  let cursor: unknown;
  do {
    const page = await router.list(cursor === undefined ? undefined : { cursor: cursor as string }, context(clientId));
    ids.push(...(page["tasks"] as JsonObject[]).map((task) => task["taskId"]));
    cursor = page["nextCursor"];
  } while (cursor !== undefined);
  return ids;
}

describe("TaskRouter", () => {
  it("maps the created task's id to ours and back on tasks/get, tasks/cancel and tasks/result", async () => {
    const { router, backend } = setup();
    const ours = await create(router, "A");
    expect(ours).not.toBe("b0");
    expect(backend.tasks.has("b0")).toBe(true);
    expect(await router.get({ taskId: ours }, context("A"))).toMatchObject({ taskId: ours, status: "working" });
    const result = await router.result({ taskId: ours }, context("A"));
    expect(result).toEqual({
      content: [{ type: "resource_link", uri: "switchboard://alpha/demo://x", name: "x" }],
      _meta: { "io.modelcontextprotocol/related-task": { taskId: ours } },
    });
    expect(await router.cancel({ taskId: ours }, context("A"))).toMatchObject({ taskId: ours, status: "cancelled" });
  });

  it("another client's id, a backend's id, a missing id: -32602 without asking the backend", async () => {
    const { router } = setup();
    const ours = await create(router, "A");
    for (const [params, client] of [[{ taskId: ours }, "B"], [{ taskId: "b0" }, "A"], [{}, "A"], [{ taskId: 7 }, "A"]] as const) {
      for (const call of [router.get, router.result, router.cancel]) {
        expect(() => call.call(router, params as JsonObject, context(client))).toThrow(expect.objectContaining({ code: ErrorCode.InvalidParams }));
      }
    }
  });

  it("tasks/list: the client's own only, paged with our cursor; a task its backend forgot is dropped, one it cannot answer shows its last state", async () => {
    const { router, backend } = setup(2);
    const ids = [await create(router, "A"), await create(router, "B"), await create(router, "A"), await create(router, "A")];
    const mine = [ids[0], ids[2], ids[3]];
    const first = await router.list(undefined, context("A"));
    expect((first["tasks"] as JsonObject[]).map((task) => task["taskId"])).toEqual(mine.slice(0, 2));
    expect(typeof first["nextCursor"]).toBe("string");
    const second = await router.list({ cursor: first["nextCursor"] as string }, context("A"));
    expect((second["tasks"] as JsonObject[]).map((task) => task["taskId"])).toEqual(mine.slice(2));
    expect(second["nextCursor"]).toBeUndefined();
    expect(((await router.list(undefined, context("B")))["tasks"] as JsonObject[]).map((task) => task["taskId"])).toEqual([ids[1]]);
    await expect(router.list({ cursor: "forged" }, context("A"))).rejects.toMatchObject({ code: ErrorCode.InvalidParams });

    backend.tasks.delete("b0");
    // A page may come short (a task dropped on the way); following the cursors gives the rest.
    expect(await listAll(router, "A")).toEqual(mine.slice(1));
    expect(() => router.get({ taskId: ids[0] }, context("A"))).toThrow(/Unknown task/);

    backend.failing = new JsonRpcError(-32000, "down");
    const down = await router.list(undefined, context("B"));
    expect(down["tasks"]).toEqual([{ taskId: ids[1], status: "working", createdAt: "t", lastUpdatedAt: "t", ttl: 60_000 }]);
  });

  it("tasks/get: a task the backend no longer knows is forgotten", async () => {
    const { router, backend } = setup();
    const ours = await create(router, "A");
    backend.tasks.clear();
    await expect(router.get({ taskId: ours }, context("A"))).rejects.toMatchObject({ code: ErrorCode.InvalidParams });
    expect(router.table.count("A")).toBe(0);
  });

  it("status notifications go to the owner only, under our id; unknown tasks are not passed on", async () => {
    const { router, notified } = setup();
    const ours = await create(router, "A");
    await create(router, "B");
    router.status("alpha", undefined, { taskId: "b0", status: "completed", createdAt: "t", lastUpdatedAt: "u", ttl: 60_000 });
    router.status("alpha", undefined, { taskId: "nobody's", status: "completed" });
    router.status("beta", undefined, { taskId: "b0", status: "completed" });
    router.status("alpha", "A", { taskId: "b0", status: "completed" }); // a session process of A holds no such task
    expect(notified).toEqual([{ client: "A", method: "notifications/tasks/status", params: { taskId: ours, status: "completed", createdAt: "t", lastUpdatedAt: "u", ttl: 60_000 } }]);
  });

  it("a session's end forgets its tasks", async () => {
    const { router } = setup();
    const ours = await create(router, "A");
    router.forget("A");
    expect(() => router.get({ taskId: ours }, context("A"))).toThrow(/Unknown task/);
  });

  it("refuses local tools and servers without task-augmented tools/call (-32601)", async () => {
    const { router, backend } = setup();
    await expect(router.callTool({ kind: "local", local: { entry: { name: "mine" } } } as never, {}, {}, context("A"))).rejects.toMatchObject({
      code: ErrorCode.MethodNotFound,
      message: expect.stringMatching(/switchboard's own/),
    });
    backend.capabilities = {} as typeof TASKS_CAPABILITY;
    await expect(router.callTool(route as never, {}, {}, context("A"))).rejects.toMatchObject({ code: ErrorCode.MethodNotFound });
  });
});
