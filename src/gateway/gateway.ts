import { McpErrorCode } from "../mcp/error-codes.js";
import type { Backend, CatalogKind, ForwardOptions } from "../backend/backend.js";
import { Emitter } from "../events/emitter.js";
import { ErrorCode, JsonRpcError } from "../jsonrpc/errors.js";
import { SwitchboardError, type LocalErrorCode } from "../jsonrpc/local-error.js";
import { isJsonObject, type JsonObject } from "../jsonrpc/message.js";
import type { Logger } from "../log/logger.js";
import { Method } from "../mcp/methods.js";
import { serverPrefix, toolNameProblem, type NamingPolicy } from "../mcp/naming.js";
import { toCallToolResult } from "../mcp/tool-result.js";
import type { CallToolResult, Tool } from "../mcp/types.js";
import type { LocalTool, LocalToolDefinition, LocalToolHandler } from "./local-tool.js";
import type { RequestContext } from "./request-context.js";
import { RouteTable, type ExposedCounts, type Route } from "./route-table.js";
import { waitForStartup } from "./startup-wait.js";
import type { Cancellation } from "../jsonrpc/cancellation.js";
import { DEFAULT_PROXY } from "../config/defaults.js";

/** Something that can be told the tool list changed (a front session). */
export interface ChangeSubscriber {
  toolsChanged(): void;
}

/** What the gateway tells its listeners (`gateway.events.on(…)`); a listener that throws is logged, never fatal. */
export interface GatewayEvents {
  /** The exposed catalog of `kind` changed (coalesced: one event per event-loop turn). */
  catalogChanged: [kind: CatalogKind];
}

/**
 * The routing core shared by every front: local tools, backend catalogs,
 * the route table, and dispatch of tool calls.
 */
export class Gateway {
  readonly policy: NamingPolicy;
  private readonly logger: Logger;
  private readonly routes: RouteTable;
  private readonly localTools = new Map<string, LocalTool>();
  private backendList: Backend[] = [];
  private unwatchBackends: Array<() => void> = [];
  /** Catalog events for fronts, health and metrics; listeners are isolated. */
  readonly events: Emitter<GatewayEvents>;
  private notifyScheduled = false;
  /** Grows with every request served (for idle detection). */
  activity = 0;

  /**
   * How long a request that needs the catalog (`tools/list`, or `tools/call`
   * of a name a starting backend may own) waits for backends still starting,
   * ms; 0 = answer at once with what is ready.
   */
  startupWaitMs: number;

  constructor(policy: NamingPolicy, logger: Logger, options: { startupWaitMs?: number } = {}) {
    this.policy = policy;
    this.logger = logger;
    this.startupWaitMs = options.startupWaitMs ?? DEFAULT_PROXY.startupWaitMs;
    this.routes = new RouteTable(policy);
    this.events = new Emitter<GatewayEvents>((error, event) => this.reportListenerError(error, `a ${event} listener`));
  }

  /** Log what a listener (an event subscriber, a local tool's abort listener) threw; the gateway goes on. */
  readonly reportListenerError = (error: unknown, what = "an abort listener of a local tool"): void => {
    this.logger.error(`${what} threw (ignored, the switchboard goes on): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  };

  /** Backends in config order. */
  get backends(): readonly Backend[] {
    return this.backendList;
  }

  /** Every exposed tool, local first. */
  get tools(): readonly Tool[] {
    return this.routes.tools;
  }

  /** Exposed tools by origin: local, and proxied from backends. */
  get exposedCounts(): Readonly<ExposedCounts> {
    return this.routes.exposed;
  }

  /** The `tools/list` result every client gets now (shared; do not modify). */
  get toolsListResult(): JsonObject {
    return this.routes.listResult;
  }

  /**
   * The `tools/list` result for a client: at once when no backend is still
   * starting; else once they are up, or after `startupWaitMs`, with what is
   * ready then (late backends' tools follow with list_changed).
   */
  listTools(cancellation?: Cancellation): JsonObject | Promise<JsonObject> {
    const starting = this.startingBackends();
    if (starting.length === 0 || this.startupWaitMs === 0) return this.routes.listResult;
    return waitForStartup(starting, this.startupWaitMs, cancellation).then(() => this.routes.listResult);
  }

  /** Register a local tool; refuses bad names and collisions with a clear error. */
  addLocalTool(definition: LocalToolDefinition, handler: LocalToolHandler): void {
    const name = definition.name;
    if (typeof name !== "string" || name.length === 0) {
      throw new SwitchboardError("INVALID_NAME", "a local tool needs a non-empty string name");
    }
    const problem = toolNameProblem(name);
    if (problem) this.logger.warn(`local tool name "${name}" ${problem}; some clients may reject it`);
    if (this.localTools.has(name)) {
      throw new SwitchboardError("NAME_COLLISION", `a local tool named "${name}" is already registered; pick another name`);
    }
    this.checkLocalAgainstBackends(name, this.backendList);
    const tool: Tool = {
      ...definition,
      name,
      inputSchema: definition.inputSchema ?? { type: "object", properties: {} },
    };
    this.localTools.set(name, { definition: tool, handler });
    this.refresh();
  }

  /** Replace the backend set (the caller starts and stops them); their catalog changes rebuild the routes. */
  setBackends(backends: Backend[]): void {
    for (const name of this.localTools.keys()) this.checkLocalAgainstBackends(name, backends);
    for (const unwatch of this.unwatchBackends) unwatch();
    this.backendList = backends;
    this.unwatchBackends = backends.map((backend) => backend.events.on("catalogChanged", () => this.refresh()));
    this.refresh();
  }

  /** Rebuild routes from the current catalogs and tell subscribers. */
  refresh(): void {
    for (const problem of this.routes.rebuild(this.localTools.values(), this.backendList)) this.logger.warn(problem);
    if (this.notifyScheduled) return;
    this.notifyScheduled = true;
    // Coalesce: fifty backends becoming ready at once send one list_changed.
    setImmediate(() => {
      this.notifyScheduled = false;
      this.events.emit("catalogChanged", "tools");
    });
  }

  /** Number of subscribers (front sessions) listening for changes. */
  get subscriberCount(): number {
    return this.events.listenerCount("catalogChanged");
  }

  /** Receive tool-list changes until the returned function is called (a subscriber that throws is logged, never fatal). */
  subscribe(subscriber: ChangeSubscriber): () => void {
    return this.events.on("catalogChanged", (kind) => {
      if (kind === "tools") subscriber.toolsChanged();
    });
  }

  /**
   * Call an exposed tool on behalf of a client. Not an async function: this is
   * the hot path, and each async frame costs an allocation per call (measured:
   * ~0.6 KB per call for one such layer).
   */
  callTool(name: string, args: JsonObject, context: RequestContext): Promise<CallToolResult> {
    this.activity++;
    const route = this.routes.lookup(name);
    if (!route) return this.callOnceStarted(name, args, context);
    return this.dispatch(route, args, context);
  }

  /** A name not (yet) routed: if a backend still starting may own it, wait for it briefly, then look again. */
  private callOnceStarted(name: string, args: JsonObject, context: RequestContext): Promise<CallToolResult> {
    const starting = this.startingBackends(name);
    if (starting.length === 0 || this.startupWaitMs === 0) return Promise.reject(this.unknownTool(name));
    return waitForStartup(starting, this.startupWaitMs, context.cancellation).then(() => {
      const route = this.routes.lookup(name);
      return route ? this.dispatch(route, args, context) : Promise.reject(this.unknownTool(name));
    });
  }

  /** Backends still starting (that may own the exposed `name`, when given: its prefix, or no prefix at all). */
  private startingBackends(name?: string): Backend[] {
    return this.backendList.filter(
      (backend) =>
        backend.isStarting && (name === undefined || !backend.config.prefix || name.startsWith(serverPrefix(this.policy, backend.name))),
    );
  }

  private dispatch(route: Route, args: JsonObject, context: RequestContext): Promise<CallToolResult> {
    if (route.kind === "local") return callLocalTool(route.tool, args, context);
    const params: JsonObject = { name: route.name, arguments: args };
    const meta = context.meta;
    const token = meta?.["progressToken"];
    if (meta) {
      const { progressToken: _omit, ...rest } = meta;
      if (Object.keys(rest).length > 0) params["_meta"] = rest;
    }
    const options: ForwardOptions = { cancellation: context.cancellation };
    if (token !== undefined) {
      // Progress is advisory: a slow reader gets the latest report per token, not every one.
      const advisory = { advisory: { coalesceKey: `progress:${String(token)}` } };
      options.onProgress = (progress) =>
        void context.notify(Method.Progress, { ...progress, progressToken: token }, advisory).catch(() => undefined);
    }
    const backend = route.backend;
    return backend.request(Method.ToolsCall, params, options).catch((error: unknown) => {
      throw toWireError(error, backend.name);
    }) as Promise<CallToolResult>;
  }

  private unknownTool(name: string): JsonRpcError {
    const down = this.backendList.find(
      (backend) => backend.config.prefix && name.startsWith(serverPrefix(this.policy, backend.name)) && backend.state !== "ready",
    );
    const hint = down
      ? `; backend "${down.name}" is ${down.state}, its tools return when it is ready`
      : "; call tools/list for the available names";
    return new JsonRpcError(ErrorCode.InvalidParams, `Unknown tool: "${name}"${hint}`, { tool: name });
  }

  private checkLocalAgainstBackends(name: string, backends: readonly Backend[]): void {
    for (const backend of backends) {
      if (backend.config.prefix && name.startsWith(serverPrefix(this.policy, backend.name))) {
        throw new SwitchboardError(
          "NAME_COLLISION",
          `local tool "${name}" starts with "${serverPrefix(this.policy, backend.name)}", the prefix of backend "${backend.name}"; rename the tool`,
        );
      }
    }
  }
}

/** Run a local tool: its return value normalised, a thrown error as a tool error (a JsonRpcError stays one). */
async function callLocalTool(tool: LocalTool, args: JsonObject, context: RequestContext): Promise<CallToolResult> {
  try {
    return toCallToolResult(await tool.handler(args, context));
  } catch (error) {
    if (error instanceof JsonRpcError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    return { content: [{ type: "text", text: message }], isError: true };
  }
}

/** Local codes that mean trouble with the backend (or its connection), not with the switchboard. */
const BACKEND_TROUBLE: ReadonlySet<LocalErrorCode> = new Set<LocalErrorCode>([
  "BACKEND_EXITED",
  "BACKEND_UNAVAILABLE",
  "BACKEND_NOT_READING",
  "BACKEND_INVALID_ANSWER",
  "BACKEND_START_FAILED",
  "HANDSHAKE_FAILED",
  "CONNECTION_CLOSED",
  "REQUEST_CANCELLED",
]);

/**
 * Map a forwarding failure to the error the client sees: the backend's own
 * JSON-RPC error as it is; a timeout -32001; trouble with the backend -32000;
 * a failure of the switchboard itself (a message it could not serialise …)
 * -32603. Local errors carry `data: { server, reason }`, reason being the code.
 */
export function toWireError(error: unknown, server: string): JsonRpcError {
  if (error instanceof JsonRpcError) return error;
  if (error instanceof SwitchboardError) {
    const code =
      error.code === "REQUEST_TIMEOUT"
        ? McpErrorCode.RequestTimeout
        : BACKEND_TROUBLE.has(error.code)
          ? ErrorCode.ServerError
          : ErrorCode.InternalError;
    return new JsonRpcError(code, error.message, { server, reason: error.code });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new JsonRpcError(ErrorCode.InternalError, `call to backend "${server}" failed: ${message}`, { server });
}

/** Read `tools/call` params, or throw -32602 saying what is wrong. */
export function readCallParams(params: JsonObject | undefined): { name: string; args: JsonObject; meta: JsonObject | undefined } {
  const name = params?.["name"];
  if (typeof name !== "string" || name.length === 0) {
    throw new JsonRpcError(ErrorCode.InvalidParams, 'Invalid params: tools/call needs "name", a non-empty string');
  }
  const args = params?.["arguments"];
  if (args !== undefined && !isJsonObject(args)) {
    throw new JsonRpcError(ErrorCode.InvalidParams, 'Invalid params: tools/call "arguments" must be an object when present');
  }
  const meta = params?.["_meta"];
  return { name, args: args ?? {}, meta: isJsonObject(meta) ? meta : undefined };
}
