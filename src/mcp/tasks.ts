import { isJsonObject, type JsonObject } from "../jsonrpc/message.js";

/**
 * Task shapes of 2025-11-25 (experimental), read defensively: what the
 * switchboard needs to route task ids between a client and the backend that
 * runs its task, and nothing more. The rest of a `Task` passes through as
 * the backend sent it.
 */

/** The `_meta` key that ties a message to a task. */
export const RELATED_TASK_META_KEY = "io.modelcontextprotocol/related-task";

/** Statuses after which a task never changes. */
const TERMINAL: ReadonlySet<unknown> = new Set(["completed", "failed", "cancelled"]);

/** True for `completed`, `failed` and `cancelled`. */
export function isTerminalStatus(status: unknown): boolean {
  return TERMINAL.has(status);
}

/** A task object as a backend sent it: at least a string `taskId`. */
export type TaskObject = JsonObject & { taskId: string };

/** `value` when it is an object with a non-empty string `taskId`. */
export function readTask(value: unknown): TaskObject | undefined {
  return isJsonObject(value) && typeof value["taskId"] === "string" && value["taskId"].length > 0 ? (value as TaskObject) : undefined;
}

/** A task's retention in ms: a non-negative number, null for unlimited, undefined when absent or malformed. */
export function taskTtl(task: JsonObject): number | null | undefined {
  const ttl = task["ttl"];
  if (ttl === null) return null;
  return typeof ttl === "number" && Number.isFinite(ttl) && ttl >= 0 ? ttl : undefined;
}

/** The task's copy with `taskId` replaced. */
export function withTaskId(task: JsonObject, taskId: string): JsonObject {
  return { ...task, taskId };
}

/**
 * `result` with the related-task id in its `_meta` (`tasks/result` answers,
 * requests about a task) passed through `map`; unchanged when it has none or
 * `map` gives undefined.
 */
export function mapRelatedTask(result: JsonObject, map: (taskId: string) => string | undefined): JsonObject {
  const meta = result["_meta"];
  if (!isJsonObject(meta)) return result;
  const related = readTask(meta[RELATED_TASK_META_KEY]);
  if (!related) return result;
  const mapped = map(related.taskId);
  if (mapped === undefined) return result;
  return { ...result, _meta: { ...meta, [RELATED_TASK_META_KEY]: withTaskId(related, mapped) } };
}

/**
 * The tasks extension of 2026-07-28 (SEP-2663), as modern clients and
 * servers speak it: declared under `capabilities.extensions`; a
 * `tools/call` the server turns into a task answers a flat CreateTaskResult
 * (`resultType: "task"`, `taskId`, `status`, `ttlMs`, …); `tasks/get` polls
 * and inlines `result` or `error` once the task is over and `inputRequests`
 * while it waits for input; `tasks/update` delivers `inputResponses`;
 * `tasks/cancel` is acknowledged with an empty result. No `tasks/result`, no
 * `tasks/list`.
 */
export const TASKS_EXTENSION = "io.modelcontextprotocol/tasks";

/** The methods of the tasks extension a modern client may call. */
export const MODERN_TASK_METHODS = { Get: "tasks/get", Update: "tasks/update", Cancel: "tasks/cancel" } as const;

/** True when `capabilities` (a client's or a server's) declare the tasks extension under `extensions`. */
export function declaresTasksExtension(capabilities: unknown): boolean {
  const extensions = isJsonObject(capabilities) ? capabilities["extensions"] : undefined;
  return isJsonObject(extensions) && extensions[TASKS_EXTENSION] !== undefined && extensions[TASKS_EXTENSION] !== null;
}

/** `result` when it is a modern CreateTaskResult (`resultType: "task"` with a `taskId`). */
export function readCreateTaskResult(result: JsonObject): TaskObject | undefined {
  return result["resultType"] === "task" ? readTask(result) : undefined;
}

/** A modern task's retention in ms (`ttlMs`): a non-negative number, null for unlimited, undefined when absent or malformed. */
export function taskTtlMs(task: JsonObject): number | null | undefined {
  const ttl = task["ttlMs"];
  if (ttl === null) return null;
  return typeof ttl === "number" && Number.isFinite(ttl) && ttl >= 0 ? ttl : undefined;
}
