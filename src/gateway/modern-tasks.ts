import type { Backend } from "../backend/backend.js";
import { ErrorCode, JsonRpcError } from "../jsonrpc/errors.js";
import { isJsonObject, type JsonObject } from "../jsonrpc/message.js";
import { missingCapabilityError } from "../mcp/discover.js";
import { rewriteToolResultUris } from "../mcp/result-uris.js";
import { Method } from "../mcp/methods.js";
import { declaresTasksExtension, MODERN_TASK_METHODS, readCreateTaskResult, TASKS_EXTENSION, taskTtl, taskTtlMs } from "../mcp/tasks.js";
import { modernTaskOf } from "../mcp/tasks-modern.js";
import { mapUri } from "../mcp/uri-mapping.js";
import type { Gateway } from "./gateway.js";
import type { RequestContext } from "./request-context.js";
import { cancelLegacyTask, createLegacyTask, getLegacyTask, legacyTaskMode } from "./modern-tasks-legacy.js";
import { routedCall } from "./routed-call.js";
import { declaresToolTasks } from "./tasks.js";
import { TaskTable, type TaskRoute } from "./task-table.js";

/** Tasks of modern clients remembered at once by default; beyond it the oldest (finished ones first) are forgotten. */
export const DEFAULT_MAX_MODERN_TASKS = 10_000;

/** Options of the modern task router. */
export interface ModernTaskOptions {
  /** Tasks remembered across all modern clients (default DEFAULT_MAX_MODERN_TASKS). */
  maxTasks?: number;
  /** The clock, ms since the epoch (default Date.now). */
  now?: () => number;
}

/**
 * The one owner of every modern client's task in the table: a modern request
 * has no session, so the task id itself — ours, random and unguessable — is
 * the capability to reach the task.
 */
const MODERN_OWNER = "\u0000modern";

/**
 * True when a modern backend declares the tasks extension, a legacy one
 * task-augmented tools/call (translated), or a backend still on its first
 * start (nothing declared yet) may: what makes the switchboard declare the
 * extension to modern clients (as advertisedFor treats what a starting
 * backend may bring).
 */
export function offersTasksExtension(backends: readonly Backend[]): boolean {
  return backends.some(
    (backend) =>
      (backend.isStarting && Object.keys(backend.capabilities).length === 0) ||
      (backend.backendSession?.era === "modern" ? declaresTasksExtension(backend.capabilities) : declaresToolTasks(backend.capabilities)),
  );
}

/**
 * The tasks extension (2026-07-28, SEP-2663) for modern clients, carried
 * from backends that speak it and translated from legacy backends' 2025-11-25
 * tasks (modern-tasks-legacy.ts): a backend's CreateTaskResult gets a task id
 * of ours (TaskTable, one bounded table for all modern clients, each entry
 * expiring with the task's `ttlMs`); `tasks/get`, `tasks/update` and
 * `tasks/cancel` find the backend by our id, send it its own id and answer
 * with ours. A request that does not declare the extension is -32021; an
 * id that is not ours (or has expired) is -32602 without asking a backend.
 */
export class ModernTaskRouter {
  /** Our task ids and where they lead. */
  readonly table: TaskTable;

  constructor(
    private readonly gateway: Gateway,
    options: ModernTaskOptions = {},
  ) {
    this.table = new TaskTable({ maxPerClient: options.maxTasks ?? DEFAULT_MAX_MODERN_TASKS, ...(options.now ? { now: options.now } : {}) });
  }

  /**
   * A modern client's `tools/call` of a backend tool (`params` with the
   * backend's own name; `mapUris` maps a prefixed backend's URIs): a legacy
   * backend's task-supporting tool runs as a task when the client declared
   * the extension (-32021 when it must and the client did not); a modern
   * backend's CreateTaskResult gets our id.
   */
  callTool(backend: Backend, params: JsonObject & { name: string }, context: RequestContext, mapUris: ((result: JsonObject) => JsonObject) | undefined): Promise<JsonObject> {
    let mode: "task" | "sync";
    try {
      mode = legacyTaskMode(backend, params.name, context.client.capabilities);
    } catch (error) {
      return Promise.reject(error);
    }
    if (mode === "task") {
      return createLegacyTask(this.gateway, backend, params, context).then((task) => {
        const route = this.table.add(MODERN_OWNER, backend.name, backend.name, task.taskId, taskTtl(task), task, true);
        route.last = modernTaskOf(task, route.id);
        return { ...route.last, resultType: "task" };
      });
    }
    return routedCall(this.gateway, backend, Method.ToolsCall, params, context, (result) => this.adopt(backend, mapUris ? mapUris(result) : result));
  }

  /**
   * A modern tools/call result from `backend`: a CreateTaskResult gets our
   * task id (remembered before it is answered, so an immediate tasks/get
   * finds it); any other result is returned as it is.
   */
  adopt(backend: Backend, result: JsonObject): JsonObject {
    const task = readCreateTaskResult(result);
    if (!task) return result;
    const route = this.table.add(MODERN_OWNER, backend.name, backend.name, task.taskId, taskTtlMs(task), task);
    return { ...result, taskId: route.id };
  }

  /** `tasks/get`: the task's state from its backend, with our id; a finished task's result has its URIs mapped as a tool result's. */
  get(params: JsonObject | undefined, context: RequestContext): Promise<JsonObject> {
    const { route, backend } = this.resolve(MODERN_TASK_METHODS.Get, params, context);
    if (route.translated) return this.forgetUnknown(route, getLegacyTask(this.gateway, route, backend, context));
    const uris = this.gateway.exposure.uris;
    return this.send(route, backend, MODERN_TASK_METHODS.Get, { taskId: route.backendTaskId }, context, (answer) => {
      const mapped: JsonObject = { ...answer, taskId: route.id };
      const inner = answer["result"];
      if (backend.prefixed && isJsonObject(inner)) mapped["result"] = rewriteToolResultUris(inner, (uri) => mapUri(uris, backend.name, uri));
      route.last = mapped;
      return mapped;
    });
  }

  /** `tasks/update`: the client's `inputResponses` to the task's backend; its acknowledgement. */
  update(params: JsonObject | undefined, context: RequestContext): Promise<JsonObject> {
    const { route, backend } = this.resolve(MODERN_TASK_METHODS.Update, params, context);
    const responses = params?.["inputResponses"];
    if (!isJsonObject(responses)) {
      throw new JsonRpcError(ErrorCode.InvalidParams, 'Invalid params: tasks/update needs "inputResponses", an object of answers keyed as the task\'s inputRequests', {
        taskId: route.id,
      });
    }
    // A legacy task's input is not carried (see modern-tasks-legacy.ts): nothing of it can be pending here.
    if (route.translated) return Promise.resolve({});
    return this.send(route, backend, MODERN_TASK_METHODS.Update, { taskId: route.backendTaskId, inputResponses: responses }, context, ack);
  }

  /** `tasks/cancel`: passed to the task's backend; its acknowledgement. */
  cancel(params: JsonObject | undefined, context: RequestContext): Promise<JsonObject> {
    const { route, backend } = this.resolve(MODERN_TASK_METHODS.Cancel, params, context);
    if (route.translated) return this.forgetUnknown(route, cancelLegacyTask(this.gateway, route, backend, context));
    return this.send(route, backend, MODERN_TASK_METHODS.Cancel, { taskId: route.backendTaskId }, context, ack);
  }

  /** The request to the backend; a -32602 from it (it no longer knows the task) makes us forget the task too. */
  private send(route: TaskRoute, backend: Backend, method: string, params: JsonObject, context: RequestContext, map: (answer: JsonObject) => JsonObject): Promise<JsonObject> {
    return this.forgetUnknown(route, routedCall(this.gateway, backend, method, params, context, map));
  }

  /** `answer`, forgetting the task when it is a -32602 (the backend no longer knows it). */
  private forgetUnknown(route: TaskRoute, answer: Promise<JsonObject>): Promise<JsonObject> {
    return answer.catch((error: unknown) => {
      if (error instanceof JsonRpcError && error.code === ErrorCode.InvalidParams) this.table.remove(route);
      throw error;
    });
  }

  /** -32021 without the extension declared; the route of `taskId` and its backend, or -32602. */
  private resolve(method: string, params: JsonObject | undefined, context: RequestContext): { route: TaskRoute; backend: Backend } {
    if (!declaresTasksExtension(context.client.capabilities)) {
      throw missingCapabilityError(
        { extensions: { [TASKS_EXTENSION]: {} } },
        `${method} belongs to the ${TASKS_EXTENSION} extension; declare it in _meta "io.modelcontextprotocol/clientCapabilities".extensions`,
      );
    }
    const id = params?.["taskId"];
    if (typeof id !== "string" || id.length === 0) {
      throw new JsonRpcError(ErrorCode.InvalidParams, `Invalid params: ${method} needs "taskId", a non-empty string`);
    }
    const route = this.table.get(MODERN_OWNER, id);
    const backend = route ? this.gateway.backend(route.server) : undefined;
    if (!route || !backend) {
      if (route) this.table.remove(route);
      throw new JsonRpcError(ErrorCode.InvalidParams, `Unknown task "${id}": no task of this server has that id, or it has expired`, { taskId: id });
    }
    this.gateway.activity++;
    return { route, backend };
  }
}

/** An acknowledgement as a modern client gets it: no task envelope, whatever the backend added. */
function ack(answer: JsonObject): JsonObject {
  const { taskId: _taskId, status: _status, result: _result, error: _error, inputRequests: _inputs, ...rest } = answer;
  return rest;
}
