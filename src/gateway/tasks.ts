import { randomBytes } from "node:crypto";
import type { Backend } from "../backend/backend.js";
import { ErrorCode, JsonRpcError } from "../jsonrpc/errors.js";
import { isJsonObject, type JsonObject } from "../jsonrpc/message.js";
import { CursorCodec } from "../mcp/cursor.js";
import { Method } from "../mcp/methods.js";
import { rewriteToolResultUris } from "../mcp/result-uris.js";
import { mapRelatedTask, readTask, taskTtl, withTaskId } from "../mcp/tasks.js";
import { mapUri } from "../mcp/uri-mapping.js";
import type { CatalogRoute } from "./catalog.js";
import type { Gateway } from "./gateway.js";
import type { LocalToolHandler } from "./local-tool.js";
import type { ClientSink, RequestContext } from "./request-context.js";
import { routedCall } from "./routed-call.js";
import { TaskTable, type TaskRoute, type TaskTableOptions } from "./task-table.js";

/** Tasks per `tasks/list` page by default. */
export const DEFAULT_TASK_PAGE_SIZE = 100;

/** Options of the task router. */
export interface TaskRouterOptions extends TaskTableOptions {
  /** Tasks per `tasks/list` page (default DEFAULT_TASK_PAGE_SIZE). */
  pageSize?: number;
}

/** The cursor kind of tasks/list; one version, since a cursor names a creation number, which stays valid. */
const LIST = { kind: "tasks", version: 0 } as const;

/** True when a backend's declared capabilities accept task-augmented `tools/call`. */
export function declaresToolTasks(capabilities: unknown): boolean {
  const tasks = isJsonObject(capabilities) ? capabilities["tasks"] : undefined;
  const requests = isJsonObject(tasks) ? tasks["requests"] : undefined;
  const tools = isJsonObject(requests) ? requests["tools"] : undefined;
  return isJsonObject(tools) && isJsonObject(tools["call"]);
}

/**
 * Tasks (2025-11-25, experimental) across backends: a task-augmented
 * `tools/call` goes to its tool's backend like any call, and the task id in
 * its answer is replaced by one of ours, remembered per client session
 * (TaskTable). `tasks/get`, `tasks/result` and `tasks/cancel` find the
 * backend by our id and send it its own id; ids in the answers are mapped
 * back. `tasks/list` is the client's own tasks only, each asked of its
 * backend. A backend's `notifications/tasks/status` goes to the one client
 * that owns the task. A task id that is not the client's own is -32602.
 */
export class TaskRouter {
  /** Our task ids and where they lead. */
  readonly table: TaskTable;
  private readonly codec = new CursorCodec(randomBytes(32));
  private readonly pageSize: number;

  constructor(
    private readonly gateway: Gateway,
    private readonly sinkOf: (clientId: string) => ClientSink | undefined,
    options: TaskRouterOptions = {},
  ) {
    this.table = new TaskTable(options);
    const pageSize = options.pageSize ?? DEFAULT_TASK_PAGE_SIZE;
    if (!(Number.isSafeInteger(pageSize) && pageSize > 0)) throw new RangeError(`task pageSize must be a positive integer, got ${pageSize}`);
    this.pageSize = pageSize;
  }

  /**
   * A task-augmented `tools/call` of the tool `route` leads to: the
   * backend's CreateTaskResult with our task id. The switchboard's own
   * tools, and those of servers that do not declare task-augmented
   * tools/call, are -32601.
   */
  callTool(route: CatalogRoute<LocalToolHandler>, args: JsonObject, task: JsonObject, context: RequestContext): Promise<JsonObject> {
    if (route.kind === "local") {
      const name = String(route.local.entry["name"]);
      return Promise.reject(new JsonRpcError(ErrorCode.MethodNotFound, `Tool "${name}" is the switchboard's own and does not run as a task; call it without "task"`, { tool: name }));
    }
    const backend = this.gateway.backend(route.source.name) as Backend;
    const params: JsonObject = { name: route.identity, arguments: args, task };
    if (!declaresToolTasks(backend.capabilities)) {
      return Promise.reject(
        new JsonRpcError(
          ErrorCode.MethodNotFound,
          `Tool "${String(params["name"])}" of backend "${backend.name}" cannot run as a task: that server does not declare task-augmented tools/call; call it without "task"`,
          { server: backend.name },
        ),
      );
    }
    const clientId = context.client.id;
    return routedCall(this.gateway, backend, Method.ToolsCall, params, context).then((result) => {
      const task = readTask(result["task"]);
      if (!task) {
        throw new JsonRpcError(ErrorCode.ServerError, `backend "${backend.name}" answered a task-augmented tools/call without a task (no "task.taskId" in its result)`, {
          server: backend.name,
          reason: "BACKEND_INVALID_ANSWER",
        });
      }
      const route = this.table.add(clientId, backend.name, originOf(backend, clientId), task.taskId, taskTtl(task), task);
      return { ...result, task: route.last };
    });
  }

  /** `tasks/get`: the task's state from its backend, with our id. A task the backend no longer knows is forgotten here too. */
  get(params: JsonObject | undefined, context: RequestContext): Promise<JsonObject> {
    const { route, backend } = this.resolve(Method.TasksGet, params, context);
    return routedCall(this.gateway, backend, Method.TasksGet, { taskId: route.backendTaskId }, context, (task) => this.seen(route, task)).catch(
      (error: unknown) => {
        if (error instanceof JsonRpcError && error.code === ErrorCode.InvalidParams) this.table.remove(route);
        throw error;
      },
    );
  }

  /** `tasks/cancel`: passed to the task's backend; its answer (the cancelled task, or its own error) with our id. */
  cancel(params: JsonObject | undefined, context: RequestContext): Promise<JsonObject> {
    const { route, backend } = this.resolve(Method.TasksCancel, params, context);
    return routedCall(this.gateway, backend, Method.TasksCancel, { taskId: route.backendTaskId }, context, (task) => this.seen(route, task));
  }

  /**
   * `tasks/result`: the underlying tools/call result (or its error) as the
   * backend gives it once the task is over, its URIs mapped like a tool
   * result's and its related-task id ours.
   */
  result(params: JsonObject | undefined, context: RequestContext): Promise<JsonObject> {
    const { route, backend } = this.resolve(Method.TasksResult, params, context);
    const uris = this.gateway.exposure.uris;
    const related = (id: string): string | undefined => (id === route.backendTaskId ? route.id : undefined);
    return routedCall(this.gateway, backend, Method.TasksResult, { taskId: route.backendTaskId }, context, (result) => {
      const mapped = backend.prefixed ? rewriteToolResultUris(result, (uri) => mapUri(uris, backend.name, uri)) : result;
      return mapRelatedTask(mapped, related);
    });
  }

  /**
   * `tasks/list`: the client's own tasks, oldest first, a page at a time;
   * each one's state asked of its backend (the last state seen when the
   * backend cannot answer; dropped when it no longer knows the task).
   */
  async list(params: JsonObject | undefined, context: RequestContext): Promise<JsonObject> {
    const cursor = params?.["cursor"];
    const from = cursor === undefined || cursor === null ? 0 : this.codec.decode(cursor, LIST).offset;
    const routes = this.table.list(context.client.id, from, this.pageSize + 1);
    const next = routes.length > this.pageSize ? routes.pop() : undefined;
    const tasks = await Promise.all(routes.map((route) => this.current(route, context)));
    const result: JsonObject = { tasks: tasks.filter((task): task is JsonObject => task !== undefined) };
    if (next) result["nextCursor"] = this.codec.encode({ ...LIST, offset: next.seq });
    return result;
  }

  /**
   * A backend's `notifications/tasks/status`, from `server`'s shared process
   * (`clientId` undefined) or from a session's own: to the task's owner
   * only, with our id. A task we do not know (not created through us, or
   * forgotten) is not passed on.
   */
  status(server: string, clientId: string | undefined, params: JsonObject | undefined): void {
    const task = readTask(params);
    if (!task) return;
    const route = this.table.owner(clientId === undefined ? server : sessionOrigin(server, clientId), task.taskId);
    if (!route) return;
    const mapped = this.seen(route, task);
    this.sinkOf(route.clientId)?.notify(Method.TaskStatus, mapped);
  }

  /** A client session ended: its tasks are forgotten (the backends keep them until their ttl). */
  forget(clientId: string): void {
    this.table.forget(clientId);
  }

  /** The route of the request's `taskId` for this client and the backend serving it, or -32602. */
  private resolve(method: string, params: JsonObject | undefined, context: RequestContext): { route: TaskRoute; backend: Backend } {
    const id = params?.["taskId"];
    if (typeof id !== "string" || id.length === 0) {
      throw new JsonRpcError(ErrorCode.InvalidParams, `Invalid params: ${method} needs "taskId", a non-empty string`);
    }
    const route = this.table.get(context.client.id, id);
    const backend = route ? this.gateway.backend(route.server) : undefined;
    if (!route || !backend) {
      if (route) this.table.remove(route);
      throw new JsonRpcError(
        ErrorCode.InvalidParams,
        `Unknown task "${id}": it is not a task of this session, or it has expired (call tasks/list for yours)`,
        { taskId: id },
      );
    }
    this.gateway.activity++;
    return { route, backend };
  }

  /** The backend's task state, with our id; remembered as the last seen. */
  private seen(route: TaskRoute, task: JsonObject): JsonObject {
    const mapped = withTaskId(task, route.id);
    route.last = mapped;
    return mapped;
  }

  /** The task's state now, for tasks/list. */
  private current(route: TaskRoute, context: RequestContext): Promise<JsonObject | undefined> {
    const backend = this.gateway.backend(route.server);
    if (!backend) {
      this.table.remove(route);
      return Promise.resolve(undefined);
    }
    return routedCall(this.gateway, backend, Method.TasksGet, { taskId: route.backendTaskId }, context, (task) => this.seen(route, task)).catch(
      (error: unknown) => {
        if (!(error instanceof JsonRpcError && error.code === ErrorCode.InvalidParams)) return route.last;
        this.table.remove(route);
        return undefined;
      },
    );
  }
}

/** The process holding a client's task: a session-isolated server runs one per client session, and ids are unique only within a process. */
function originOf(backend: Backend, clientId: string): string {
  return backend.config.isolation === "session" ? sessionOrigin(backend.name, clientId) : backend.name;
}

function sessionOrigin(server: string, clientId: string): string {
  return `${server}\n${clientId}`;
}
