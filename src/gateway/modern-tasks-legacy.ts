import type { Backend } from "../backend/backend.js";
import { ErrorCode, JsonRpcError } from "../jsonrpc/errors.js";
import type { JsonObject } from "../jsonrpc/message.js";
import { Method } from "../mcp/methods.js";
import { rewriteToolResultUris } from "../mcp/result-uris.js";
import { declaresTasksExtension, readTask, TASKS_EXTENSION } from "../mcp/tasks.js";
import { modernTaskOf, toolTaskSupport, withoutRelatedTask } from "../mcp/tasks-modern.js";
import { mapUri } from "../mcp/uri-mapping.js";
import { missingCapabilityError } from "../mcp/discover.js";
import type { Gateway } from "./gateway.js";
import type { RequestContext } from "./request-context.js";
import { routedCall } from "./routed-call.js";
import { declaresToolTasks } from "./tasks.js";
import type { TaskRoute } from "./task-table.js";

/**
 * A legacy (2025-11-25) backend's tasks shown to modern clients in the
 * shapes of the tasks extension: the switchboard makes the task-augmented
 * `tools/call` the modern client cannot ask for, flattens the
 * CreateTaskResult, and answers `tasks/get` from the backend's `tasks/get`
 * and, once the task is over, its `tasks/result` (inlined as `result`, or
 * as `error` when it is a JSON-RPC error). Input a legacy task asks for
 * (its server-to-client requests) is not carried: such a task shows
 * `input_required` without `inputRequests`.
 */

/**
 * How a modern client's `tools/call` of `toolName` on `backend` is served:
 * "task" (a legacy task the client can poll), "sync" (an ordinary call), or
 * a -32021 error when the tool runs only as a task and the client did not
 * declare the extension.
 */
export function legacyTaskMode(backend: Backend, toolName: string, client: JsonObject): "task" | "sync" {
  if (backend.backendSession?.era === "modern" || !declaresToolTasks(backend.capabilities)) return "sync";
  const support = toolTaskSupport(backend.tools.find((tool) => tool.name === toolName));
  if (support === undefined) return "sync";
  if (declaresTasksExtension(client)) return "task";
  if (support === "optional") return "sync";
  throw missingCapabilityError(
    { extensions: { [TASKS_EXTENSION]: {} } },
    `tool "${toolName}" of backend "${backend.name}" runs only as a task; declare the ${TASKS_EXTENSION} extension in _meta "io.modelcontextprotocol/clientCapabilities".extensions`,
  );
}

/** The task-augmented call; resolves with the backend's task (its own id) or rejects with what the backend said. */
export function createLegacyTask(gateway: Gateway, backend: Backend, params: JsonObject, context: RequestContext): Promise<JsonObject & { taskId: string }> {
  return routedCall(gateway, backend, Method.ToolsCall, { ...params, task: {} }, context).then((result) => {
    const task = readTask(result["task"]);
    if (!task) {
      throw new JsonRpcError(ErrorCode.ServerError, `backend "${backend.name}" answered a task-augmented tools/call without a task (no "task.taskId" in its result)`, {
        server: backend.name,
        reason: "BACKEND_INVALID_ANSWER",
      });
    }
    return task;
  });
}

/** `tasks/get` of a translated task: its state, and once it is over its result or error inlined (remembered: a finished task does not change). */
export async function getLegacyTask(gateway: Gateway, route: TaskRoute, backend: Backend, context: RequestContext): Promise<JsonObject> {
  if (isSettled(route.last)) return route.last;
  const task = await routedCall(gateway, backend, Method.TasksGet, { taskId: route.backendTaskId }, context);
  let out = modernTaskOf(task, route.id);
  if (out["status"] === "completed" || out["status"] === "failed") {
    try {
      const uris = gateway.exposure.uris;
      const result = await routedCall(gateway, backend, Method.TasksResult, { taskId: route.backendTaskId }, context);
      const mapped = backend.prefixed ? rewriteToolResultUris(result, (uri) => mapUri(uris, backend.name, uri)) : result;
      // A tool that ran and reported an error is a completed task in the extension; "failed" is for protocol errors.
      out = { ...out, status: "completed", result: withoutRelatedTask(mapped) };
    } catch (error) {
      if (!(error instanceof JsonRpcError) || isTrouble(error)) throw error;
      const failure: JsonObject = { code: error.code, message: error.message };
      if (error.data !== undefined) failure["data"] = error.data as JsonObject;
      out = { ...out, status: "failed", error: failure };
    }
  }
  route.last = out;
  return out;
}

/** `tasks/cancel` of a translated task: acknowledged, also when the backend refuses because the task is already over. */
export async function cancelLegacyTask(gateway: Gateway, route: TaskRoute, backend: Backend, context: RequestContext): Promise<JsonObject> {
  try {
    await routedCall(gateway, backend, Method.TasksCancel, { taskId: route.backendTaskId }, context);
  } catch (error) {
    if (!(error instanceof JsonRpcError && error.code === ErrorCode.InvalidParams)) throw error;
    // 2025-11-25 refuses to cancel a finished task with -32602, as it does an unknown one: ask which.
    await routedCall(gateway, backend, Method.TasksGet, { taskId: route.backendTaskId }, context);
  }
  return {};
}

/** A translated task's state that carries its outcome (nothing more to ask the backend). */
function isSettled(task: JsonObject): boolean {
  return task["status"] === "cancelled" || "result" in task || "error" in task;
}

/** Trouble reaching the backend (our -32000 with a reason, a timeout), not the task's own outcome. */
function isTrouble(error: JsonRpcError): boolean {
  const data = error.data as { reason?: unknown } | undefined;
  return error.code === -32001 || (error.code === ErrorCode.ServerError && data?.reason !== undefined);
}
