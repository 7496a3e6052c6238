import { describe, expect, it } from "vitest";
import { TaskTable } from "../../src/gateway/task-table.js";

/** A table on a clock the test moves, with ids t0, t1 … */
function table(maxPerClient?: number): { tasks: TaskTable; clock: { now: number } } {
  const clock = { now: 1_000 };
  let next = 0;
  const tasks = new TaskTable({ now: () => clock.now, newId: () => `t${next++}`, ...(maxPerClient === undefined ? {} : { maxPerClient }) });
  return { tasks, clock };
}

const working = (taskId: string) => ({ taskId, status: "working", createdAt: "x", lastUpdatedAt: "x", ttl: 1000 });

describe("TaskTable", () => {
  it("maps our id to (client, server, backend task id) and keeps the task's state under our id", () => {
    const { tasks } = table();
    const route = tasks.add("A", "everything", "everything", "backend-1", 1000, working("backend-1"));
    expect(route).toMatchObject({ id: "t0", clientId: "A", server: "everything", backendTaskId: "backend-1" });
    expect(route.last).toMatchObject({ taskId: "t0", status: "working" });
    expect(tasks.get("A", "t0")).toBe(route);
    expect(tasks.owner("everything", "backend-1")).toBe(route);
  });

  it("a client reaches only its own tasks; unknown ids are undefined", () => {
    const { tasks } = table();
    tasks.add("A", "s", "s", "b1", null, working("b1"));
    expect(tasks.get("B", "t0")).toBeUndefined();
    expect(tasks.get("A", "backend id, not ours")).toBeUndefined();
    expect(tasks.get("A", "b1")).toBeUndefined();
    expect(tasks.list("B")).toEqual([]);
    expect(tasks.list("A").map((route) => route.id)).toEqual(["t0"]);
  });

  it("the same backend task id on two processes (session isolation) stays two tasks", () => {
    const { tasks } = table();
    const a = tasks.add("A", "s", "s\nA", "1", null, working("1"));
    const b = tasks.add("B", "s", "s\nB", "1", null, working("1"));
    expect(tasks.owner("s\nA", "1")).toBe(a);
    expect(tasks.owner("s\nB", "1")).toBe(b);
    expect(tasks.owner("s", "1")).toBeUndefined();
  });

  it("expires with the task's ttl: gone from get, owner and list", () => {
    const { tasks, clock } = table();
    tasks.add("A", "s", "s", "short", 500, working("short"));
    tasks.add("A", "s", "s", "forever", null, working("forever"));
    clock.now += 499;
    expect(tasks.get("A", "t0")).toBeDefined();
    clock.now += 1;
    expect(tasks.get("A", "t0")).toBeUndefined();
    expect(tasks.owner("s", "short")).toBeUndefined();
    clock.now += 10_000_000;
    expect(tasks.list("A").map((route) => route.id)).toEqual(["t1"]);
    expect(tasks.size).toBe(1);
  });

  it("lists from a creation number, at most a limit, oldest first", () => {
    const { tasks } = table();
    for (let i = 0; i < 5; i++) tasks.add("A", "s", "s", `b${i}`, null, working(`b${i}`));
    const first = tasks.list("A", 0, 2);
    expect(first.map((route) => route.id)).toEqual(["t0", "t1"]);
    // A task forgotten between pages does not shift the next page.
    tasks.remove(tasks.get("A", "t2")!);
    expect(tasks.list("A", first[1]!.seq + 1, 2).map((route) => route.id)).toEqual(["t3", "t4"]);
  });

  it("is bounded per client: expired first, then the oldest finished, then the oldest", () => {
    const { tasks, clock } = table(3);
    tasks.add("A", "s", "s", "b0", null, working("b0"));
    tasks.add("A", "s", "s", "b1", null, { ...working("b1"), status: "completed" });
    tasks.add("A", "s", "s", "b2", 100, working("b2"));
    clock.now += 100;
    tasks.add("A", "s", "s", "b3", null, working("b3")); // b2 expired: it makes the room
    expect(tasks.list("A").map((route) => route.backendTaskId)).toEqual(["b0", "b1", "b3"]);
    tasks.add("A", "s", "s", "b4", null, working("b4")); // b1 is the oldest finished
    expect(tasks.list("A").map((route) => route.backendTaskId)).toEqual(["b0", "b3", "b4"]);
    tasks.add("A", "s", "s", "b5", null, working("b5")); // none finished: the oldest
    expect(tasks.list("A").map((route) => route.backendTaskId)).toEqual(["b3", "b4", "b5"]);
    expect(tasks.count("A")).toBe(3);
    expect(tasks.owner("s", "b0")).toBeUndefined();
    // Another client's bound is its own.
    tasks.add("B", "s", "s", "x", null, working("x"));
    expect(tasks.count("A")).toBe(3);
    expect(tasks.size).toBe(4);
  });

  it("a bound of one replaces the task", () => {
    const { tasks } = table(1);
    tasks.add("A", "s", "s", "b0", null, working("b0"));
    tasks.add("A", "s", "s", "b1", null, working("b1"));
    expect(tasks.list("A").map((route) => route.backendTaskId)).toEqual(["b1"]);
    expect(tasks.get("A", "t1")).toBeDefined();
  });

  it("forget() drops every task of a client, and only its own", () => {
    const { tasks } = table();
    tasks.add("A", "s", "s", "a", null, working("a"));
    tasks.add("B", "s", "s", "b", null, working("b"));
    tasks.forget("A");
    expect(tasks.count("A")).toBe(0);
    expect(tasks.owner("s", "a")).toBeUndefined();
    expect(tasks.get("B", "t1")).toBeDefined();
    expect(tasks.size).toBe(1);
  });

  it("unguessable ids by default, and refuses a bad bound", () => {
    const tasks = new TaskTable();
    const id = tasks.add("A", "s", "s", "b", null, working("b")).id;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(() => new TaskTable({ maxPerClient: 0 })).toThrow(RangeError);
  });
});
