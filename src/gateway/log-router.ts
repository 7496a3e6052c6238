import type { Backend } from "../backend/backend.js";
import type { JsonObject } from "../jsonrpc/message.js";
import type { Logger } from "../log/logger.js";
import { mostVerbose, shouldDeliver, type LogLevel } from "../mcp/log-levels.js";
import { Method } from "../mcp/methods.js";
import type { ClientSink, RequestContext } from "./request-context.js";

/**
 * Logging across the switchboard. `logging/setLevel` is per client; each
 * backend that declares `logging` is set to the most verbose level any
 * client asked for (again when that changes, and whenever the backend
 * becomes ready, e.g. after a restart). A backend's `notifications/message`
 * goes to every client whose level admits it, with the server's name in
 * `logger` (`alpha`, or `alpha/<the backend's logger>`). A client that never
 * set a level receives every message the backends send (the spec leaves the
 * default to the server; this is what a client connected to an SDK-based
 * server directly gets).
 */
export class LogRouter {
  private readonly levels = new Map<string, LogLevel>();
  private backendLevel: LogLevel | undefined;

  constructor(private readonly logger: Logger) {}

  /** The level `clientId` set, if any. */
  levelOf(clientId: string): LogLevel | undefined {
    return this.levels.get(clientId);
  }

  /** The level backends are set to (undefined until a client sets one). */
  get level(): LogLevel | undefined {
    return this.backendLevel;
  }

  /** A client set its level; backends follow when the most verbose level changes. */
  setLevel(clientId: string, level: LogLevel, backends: readonly Backend[]): void {
    this.levels.set(clientId, level);
    this.recompute(backends);
  }

  /** A client left: its level no longer counts. */
  forget(clientId: string, backends: readonly Backend[]): void {
    if (this.levels.delete(clientId)) this.recompute(backends);
  }

  /** Set `backend` to the current level, if there is one and it declares logging (call when it becomes ready). */
  apply(backend: Backend): void {
    const level = this.backendLevel;
    if (level === undefined || backend.state !== "ready" || backend.capabilities["logging"] === undefined) return;
    backend.request(Method.LoggingSetLevel, { level }).catch((error: unknown) => {
      this.logger.warn(`backend "${backend.name}" refused logging/setLevel ${level}: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  /**
   * Deliver a log tied to one call (it came on that call's response stream):
   * to that call's client only, on the call's own stream, if its level admits
   * it. A 2026-07-28 request hears logs only when it asked, at the level in
   * its own `_meta` (ClientContext.logLevel; a held call's client is a copy of
   * the client of the request that began it).
   */
  deliverTied(server: string, params: JsonObject | undefined, caller: RequestContext): void {
    if (params === undefined) return;
    const modern = caller.client.era === "modern";
    const level = modern ? caller.client.logLevel : this.levels.get(caller.client.id);
    if (modern && level === undefined) return;
    if (!shouldDeliver(params["level"], level)) return;
    void caller.notify(Method.LoggingMessage, namedFor(server, params)).catch(() => undefined);
  }

  /** Deliver a backend's `notifications/message` to every client whose level admits it. */
  deliver(server: string, params: JsonObject | undefined, clients: Iterable<ClientSink>): void {
    if (params === undefined) return;
    const message = namedFor(server, params);
    for (const sink of clients) {
      if (!sink.client.initialized) continue;
      if (shouldDeliver(params["level"], this.levels.get(sink.client.id))) sink.notify(Method.LoggingMessage, message);
    }
  }

  private recompute(backends: readonly Backend[]): void {
    const level = mostVerbose(this.levels.values());
    // With no level left, backends keep the last one: there is no way to unset a level.
    if (level === undefined || level === this.backendLevel) return;
    this.backendLevel = level;
    for (const backend of backends) this.apply(backend);
  }
}

/** A backend's log message with the server's name in `logger` (`alpha`, or `alpha/<the backend's logger>`). */
function namedFor(server: string, params: JsonObject): JsonObject {
  const original = params["logger"];
  return { ...params, logger: typeof original === "string" && original !== "" ? `${server}/${original}` : server };
}
