import { randomUUID } from "node:crypto";
import type { JsonObject } from "../jsonrpc/message.js";
import { isTerminalStatus } from "../mcp/tasks.js";

/** Tasks remembered per client session by default; beyond it the oldest (finished ones first) are forgotten. */
export const DEFAULT_MAX_TASKS_PER_CLIENT = 1000;

/** One task of a client, as the switchboard routes it. */
export interface TaskRoute {
  /** Our task id: the one the client knows. */
  readonly id: string;
  readonly clientId: string;
  /** The backend's server name. */
  readonly server: string;
  /** Which process holds the task: the server's shared process, or a session's own (see `TaskTable.add`). */
  readonly origin: string;
  /** The backend's own task id. */
  readonly backendTaskId: string;
  /** Creation order within the table (for paging). */
  readonly seq: number;
  /** When the backend may delete it (ms since the epoch); undefined = kept until the table's bound evicts it. */
  expiresAt: number | undefined;
  /** The last state seen, with our id (the fallback of tasks/list when its backend cannot be asked). */
  last: JsonObject;
  /** A 2025-11-25 task shown to a modern client in the tasks extension's shapes (see ModernTaskRouter). */
  readonly translated: boolean;
}

/** Options of the table. */
export interface TaskTableOptions {
  /** Tasks kept per client session (default DEFAULT_MAX_TASKS_PER_CLIENT). */
  maxPerClient?: number;
  /** The clock, ms since the epoch (default Date.now). */
  now?: () => number;
  /** Our ids (default randomUUID: unguessable, so one client cannot name another's task). */
  newId?: () => string;
}

/**
 * Which backend task each client task id of ours stands for: per client
 * session a bounded map (our id → route), and one index (process, backend
 * task id) → route for the backends' status notifications. A route expires
 * with its task's `ttl` (from when we saw it created); expired routes are
 * dropped when met and when a full client's table makes room. A client
 * only ever reaches its own routes.
 */
export class TaskTable {
  private readonly byClient = new Map<string, Map<string, TaskRoute>>();
  private readonly byBackend = new Map<string, TaskRoute>();
  private readonly maxPerClient: number;
  private readonly now: () => number;
  private readonly newId: () => string;
  private seq = 0;

  constructor(options: TaskTableOptions = {}) {
    const max = options.maxPerClient ?? DEFAULT_MAX_TASKS_PER_CLIENT;
    if (!(Number.isSafeInteger(max) && max > 0)) throw new RangeError(`maxPerClient must be a positive integer, got ${max}`);
    this.maxPerClient = max;
    this.now = options.now ?? Date.now;
    this.newId = options.newId ?? randomUUID;
  }

  /**
   * Remember a task `clientId` created on `server`: `origin` names the process
   * that holds it (the server's name for a shared process; a session's own
   * process adds its client), `ttl` is the backend's (null: unlimited),
   * `task` its state as the backend sent it; `translated` marks a legacy
   * task shown in the modern extension's shapes. Returns the route with our id.
   */
  add(clientId: string, server: string, origin: string, backendTaskId: string, ttl: number | null | undefined, task: JsonObject, translated = false): TaskRoute {
    let routes = this.byClient.get(clientId);
    if (!routes) this.byClient.set(clientId, (routes = new Map()));
    if (routes.size >= this.maxPerClient) this.makeRoom(routes);
    const id = this.newId();
    const route: TaskRoute = {
      id,
      clientId,
      server,
      origin,
      backendTaskId,
      seq: this.seq++,
      expiresAt: typeof ttl === "number" ? this.now() + ttl : undefined,
      last: { ...task, taskId: id },
      translated,
    };
    routes.set(id, route);
    // A backend reusing a task id it had forgotten: the newer task owns the notifications.
    this.byBackend.set(backendKey(origin, backendTaskId), route);
    return route;
  }

  /** `clientId`'s task `id`, or undefined when it is not its own, unknown, or expired (then forgotten). */
  get(clientId: string, id: string): TaskRoute | undefined {
    const route = this.byClient.get(clientId)?.get(id);
    if (!route) return undefined;
    if (this.expired(route)) {
      this.remove(route);
      return undefined;
    }
    return route;
  }

  /** The route of a backend task, by the process holding it and its id there (expired: undefined). */
  owner(origin: string, backendTaskId: string): TaskRoute | undefined {
    const route = this.byBackend.get(backendKey(origin, backendTaskId));
    if (!route) return undefined;
    if (this.expired(route)) {
      this.remove(route);
      return undefined;
    }
    return route;
  }

  /** `clientId`'s live tasks from creation number `fromSeq` on, oldest first, at most `limit` (expired ones are forgotten on the way). */
  list(clientId: string, fromSeq = 0, limit = Infinity): TaskRoute[] {
    const routes = this.byClient.get(clientId);
    if (!routes) return [];
    const out: TaskRoute[] = [];
    for (const route of [...routes.values()]) {
      if (this.expired(route)) this.remove(route);
      else if (route.seq >= fromSeq && out.length < limit) out.push(route);
    }
    return out;
  }

  /** Forget one task. */
  remove(route: TaskRoute): void {
    const routes = this.byClient.get(route.clientId);
    // An emptied client map stays until forget(): add() may be holding it.
    if (routes?.get(route.id) === route) routes.delete(route.id);
    const key = backendKey(route.origin, route.backendTaskId);
    if (this.byBackend.get(key) === route) this.byBackend.delete(key);
  }

  /** Forget every task of a client (its session ended). */
  forget(clientId: string): void {
    const routes = this.byClient.get(clientId);
    if (!routes) return;
    for (const route of [...routes.values()]) this.remove(route);
    this.byClient.delete(clientId);
  }

  /** Tasks remembered for `clientId` (expired ones included until met). */
  count(clientId: string): number {
    return this.byClient.get(clientId)?.size ?? 0;
  }

  /** Tasks remembered across clients. */
  get size(): number {
    return this.byBackend.size;
  }

  private expired(route: TaskRoute): boolean {
    return route.expiresAt !== undefined && this.now() >= route.expiresAt;
  }

  /** A full client table: drop the expired; if none, the oldest finished task; if none, the oldest. */
  private makeRoom(routes: Map<string, TaskRoute>): void {
    let finished: TaskRoute | undefined;
    let dropped = false;
    for (const route of [...routes.values()]) {
      if (this.expired(route)) {
        this.remove(route);
        dropped = true;
      } else if (!finished && isTerminalStatus(route.last["status"])) finished = route;
    }
    if (dropped) return;
    const victim = finished ?? routes.values().next().value;
    if (victim) this.remove(victim);
  }
}

function backendKey(origin: string, backendTaskId: string): string {
  return `${origin}\n${backendTaskId}`;
}
