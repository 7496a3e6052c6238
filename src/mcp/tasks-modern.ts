import { isJsonObject, type JsonObject } from "../jsonrpc/message.js";
import { RELATED_TASK_META_KEY } from "./tasks.js";

/**
 * A 2025-11-25 task shown in the shapes of the 2026-07-28 tasks extension
 * (the switchboard translating a legacy backend's tasks for a modern
 * client): the renamed fields, the related-task `_meta` the extension drops
 * from inlined results, and a legacy tool's declared task support.
 */

/** How a legacy tool declares it runs as a task (`execution.taskSupport`); `forbidden` or absent is undefined. */
export function toolTaskSupport(tool: unknown): "optional" | "required" | undefined {
  const execution = isJsonObject(tool) ? tool["execution"] : undefined;
  const support = isJsonObject(execution) ? execution["taskSupport"] : undefined;
  return support === "optional" || support === "required" ? support : undefined;
}

/** A legacy task as the extension's flat task with `taskId`: `ttl` becomes `ttlMs`, `pollInterval` `pollIntervalMs`. */
export function modernTaskOf(task: JsonObject, taskId: string): JsonObject {
  const { ttl, pollInterval, taskId: _theirs, ...rest } = task;
  const out: JsonObject = { ...rest, taskId };
  if (ttl === null || (typeof ttl === "number" && Number.isFinite(ttl))) out["ttlMs"] = ttl === null ? null : Math.round(ttl);
  if (typeof pollInterval === "number" && Number.isFinite(pollInterval) && pollInterval > 0) out["pollIntervalMs"] = Math.max(1, Math.round(pollInterval));
  return out;
}

/** A task's tool result without the related-task `_meta` key (the extension puts the task id at the root of tasks/get instead). */
export function withoutRelatedTask(result: JsonObject): JsonObject {
  const meta = result["_meta"];
  if (!isJsonObject(meta) || !(RELATED_TASK_META_KEY in meta)) return result;
  const { [RELATED_TASK_META_KEY]: _related, ...rest } = meta;
  const out: JsonObject = { ...result };
  if (Object.keys(rest).length > 0) out["_meta"] = rest;
  else delete out["_meta"];
  return out;
}
