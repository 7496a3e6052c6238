import { describe, expect, it } from "vitest";
import { declaresTasksExtension, readCreateTaskResult, taskTtlMs, TASKS_EXTENSION } from "../../src/mcp/tasks.js";
import { modernTaskOf, toolTaskSupport, withoutRelatedTask } from "../../src/mcp/tasks-modern.js";

describe("tasks extension shapes", () => {
  it("reads the extension from capabilities.extensions only", () => {
    expect(declaresTasksExtension({ extensions: { [TASKS_EXTENSION]: {} } })).toBe(true);
    expect(declaresTasksExtension({ tasks: {} })).toBe(false);
    expect(declaresTasksExtension({ extensions: { [TASKS_EXTENSION]: null } })).toBe(false);
    expect(declaresTasksExtension(undefined)).toBe(false);
  });

  it("a CreateTaskResult is resultType task with a taskId; ttlMs is read like ttl", () => {
    expect(readCreateTaskResult({ resultType: "task", taskId: "t" })).toBeDefined();
    expect(readCreateTaskResult({ resultType: "complete", taskId: "t" })).toBeUndefined();
    expect(readCreateTaskResult({ task: { taskId: "t" } })).toBeUndefined();
    expect([taskTtlMs({ ttlMs: 5 }), taskTtlMs({ ttlMs: null }), taskTtlMs({ ttlMs: -1 }), taskTtlMs({})]).toEqual([5, null, undefined, undefined]);
  });

  it("a legacy task becomes the flat modern one: ttl → ttlMs, pollInterval → pollIntervalMs (integers), our id", () => {
    const task = { taskId: "theirs", status: "working", createdAt: "a", lastUpdatedAt: "b", ttl: 1500.4, pollInterval: 99.6 };
    expect(modernTaskOf(task, "ours")).toEqual({ taskId: "ours", status: "working", createdAt: "a", lastUpdatedAt: "b", ttlMs: 1500, pollIntervalMs: 100 });
    expect(modernTaskOf({ taskId: "x", status: "working", ttl: null }, "y")).toEqual({ taskId: "y", status: "working", ttlMs: null });
  });

  it("the related-task _meta is dropped from an inlined result, other _meta kept", () => {
    const related = { "io.modelcontextprotocol/related-task": { taskId: "x" } };
    expect(withoutRelatedTask({ content: [], _meta: related })).toEqual({ content: [] });
    expect(withoutRelatedTask({ content: [], _meta: { ...related, other: 1 } })).toEqual({ content: [], _meta: { other: 1 } });
  });

  it("a tool's task support: optional and required count, forbidden and absent do not", () => {
    expect(["optional", "required", "forbidden", undefined].map((taskSupport) => toolTaskSupport({ name: "t", execution: { taskSupport } }))).toEqual([
      "optional",
      "required",
      undefined,
      undefined,
    ]);
  });
});
