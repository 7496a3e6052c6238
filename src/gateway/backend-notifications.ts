import type { Backend } from "../backend/backend.js";
import { isJsonObject, type JsonObject } from "../jsonrpc/message.js";
import type { Logger } from "../log/logger.js";
import { Method } from "../mcp/methods.js";
import type { Gateway } from "./gateway.js";
import { callerOf } from "./server-requests.js";

/**
 * Where a backend's notification goes. `only`: the one client a session
 * process serves (absent for a shared backend). A log goes to the one call it
 * came with (on that call's response stream, Streamable HTTP), else to every
 * attached client whose level admits it (only `only`, for a session
 * process); a shared backend's resource update to the clients subscribed; an
 * elicitation's completion to the client it was asked of; a task's status to
 * the client that owns the task.
 */
export function backendNotification(gateway: Gateway, logger: Logger, backend: Backend, method: string, params: JsonObject | undefined, relatedTag: unknown, only?: string): void {
  if (method === Method.LoggingMessage) {
    logger.debug(`[${backend.name}] log: ${JSON.stringify(params?.["data"] ?? params)}`);
    const log = isJsonObject(params) ? params : undefined;
    const caller = callerOf(relatedTag);
    if (caller && (only === undefined || caller.client.id === only)) gateway.logs.deliverTied(backend.name, log, caller);
    else if (only === undefined) gateway.logs.deliver(backend.name, log, gateway.clients.all());
    else {
      const sink = gateway.clients.get(only);
      if (sink) gateway.logs.deliver(backend.name, log, [sink]);
    }
  } else if (method === Method.ResourcesUpdated) {
    if (only === undefined) gateway.subscriptions.updated(backend, params, gateway.clients);
  } else if (method === Method.ElicitationComplete) gateway.serverRequests.elicitationComplete(params);
  else if (method === Method.TaskStatus) gateway.tasks.status(backend.name, only, params);
}
