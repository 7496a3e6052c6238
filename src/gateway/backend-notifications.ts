import type { Backend } from "../backend/backend.js";
import { isJsonObject, type JsonObject } from "../jsonrpc/message.js";
import type { Logger } from "../log/logger.js";
import { Method } from "../mcp/methods.js";
import type { Gateway } from "./gateway.js";
import { callerOf } from "./server-requests.js";

/**
 * A shared backend's notification: a log goes to the one call it came with
 * (on that call's response stream, Streamable HTTP), else to every attached
 * client whose level admits it; a resource update to the clients subscribed;
 * an elicitation's completion to the client it was asked of; a task's status
 * to the client that owns the task.
 */
export function backendNotification(gateway: Gateway, logger: Logger, backend: Backend, method: string, params: JsonObject | undefined, relatedTag: unknown): void {
  if (method === Method.LoggingMessage) {
    logger.debug(`[${backend.name}] log: ${JSON.stringify(params?.["data"] ?? params)}`);
    const caller = callerOf(relatedTag);
    if (caller) gateway.logs.deliverTied(backend.name, isJsonObject(params) ? params : undefined, caller);
    else gateway.logs.deliver(backend.name, isJsonObject(params) ? params : undefined, gateway.clients.all());
  } else if (method === Method.ResourcesUpdated) gateway.subscriptions.updated(backend, params, gateway.clients);
  else if (method === Method.ElicitationComplete) gateway.serverRequests.elicitationComplete(params);
  else if (method === Method.TaskStatus) gateway.tasks.status(backend.name, undefined, params);
}

/** A session process's notification: it serves one client, `clientId`, who alone hears its logs and task status. */
export function sessionNotification(gateway: Gateway, backend: Backend, clientId: string, method: string, params: JsonObject | undefined, relatedTag: unknown): void {
  const caller = callerOf(relatedTag);
  const sink = gateway.clients.get(clientId);
  if (method === Method.LoggingMessage && caller?.client.id === clientId) gateway.logs.deliverTied(backend.name, isJsonObject(params) ? params : undefined, caller);
  else if (method === Method.LoggingMessage && sink) gateway.logs.deliver(backend.name, isJsonObject(params) ? params : undefined, [sink]);
  else if (method === Method.ElicitationComplete) gateway.serverRequests.elicitationComplete(params);
  else if (method === Method.TaskStatus) gateway.tasks.status(backend.name, clientId, params);
}
