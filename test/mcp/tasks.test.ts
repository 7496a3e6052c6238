import { describe, expect, it } from "vitest";
import { isTerminalStatus, mapRelatedTask, readTask, RELATED_TASK_META_KEY, taskTtl, withTaskId } from "../../src/mcp/tasks.js";

describe("task shapes", () => {
  it("reads a task only with a non-empty string taskId", () => {
    expect(readTask({ taskId: "x", status: "working" })).toEqual({ taskId: "x", status: "working" });
    for (const bad of [undefined, null, "x", [], {}, { taskId: 1 }, { taskId: "" }]) expect(readTask(bad)).toBeUndefined();
  });

  it("ttl: a number, null for unlimited, undefined when absent or malformed", () => {
    expect(taskTtl({ ttl: 60_000 })).toBe(60_000);
    expect(taskTtl({ ttl: null })).toBeNull();
    for (const bad of [{}, { ttl: "1" }, { ttl: -1 }, { ttl: Number.NaN }]) expect(taskTtl(bad)).toBeUndefined();
  });

  it("terminal statuses", () => {
    expect(["completed", "failed", "cancelled"].every(isTerminalStatus)).toBe(true);
    expect(["working", "input_required", undefined].some(isTerminalStatus)).toBe(false);
  });

  it("withTaskId copies", () => {
    const task = { taskId: "b", status: "working" };
    expect(withTaskId(task, "ours")).toEqual({ taskId: "ours", status: "working" });
    expect(task.taskId).toBe("b");
  });

  it("maps the related-task id in _meta, keeping the rest", () => {
    const result = { content: [], _meta: { other: 1, [RELATED_TASK_META_KEY]: { taskId: "b" } } };
    expect(mapRelatedTask(result, (id) => (id === "b" ? "ours" : undefined))).toEqual({ content: [], _meta: { other: 1, [RELATED_TASK_META_KEY]: { taskId: "ours" } } });
    expect(result._meta[RELATED_TASK_META_KEY].taskId).toBe("b");
    expect(mapRelatedTask(result, () => undefined)).toBe(result);
    const plain = { content: [] };
    expect(mapRelatedTask(plain, () => "x")).toBe(plain);
  });
});
