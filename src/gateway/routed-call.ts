import type { Backend } from "../backend/backend.js";
import { ErrorCode, JsonRpcError } from "../jsonrpc/errors.js";
import type { JsonObject } from "../jsonrpc/message.js";
import { toWireError } from "./forward.js";
import { forwardAnsweringInput } from "./mrtr-fulfil.js";
import type { Gateway } from "./gateway.js";
import { MRTR_METHODS } from "./mrtr-bridge.js";
import type { RequestContext } from "./request-context.js";

/**
 * forward() a client's request to the process of `backend`'s server that
 * serves this client: the shared process, or (isolation "session") the
 * client session's own one, started on its first call. While the call is
 * in flight the process's requests to a client (sampling, elicitation,
 * roots) can be tied to this client (gateway/server-requests.ts). A modern
 * client's tools/call, prompts/get and resources/read on a shared process go
 * through the MRTR bridge (gateway/mrtr-bridge.ts).
 */
export function routedCall(
  gateway: Gateway,
  backend: Backend,
  method: string,
  params: JsonObject,
  context: RequestContext,
  mapResult?: (result: JsonObject) => JsonObject,
): Promise<JsonObject> {
  const requests = gateway.serverRequests;
  if (backend.config.isolation !== "session") {
    if (context.client.era === "modern" && MRTR_METHODS.has(method)) return gateway.bridge.call(backend, method, params, context, mapResult);
    const untrack = requests.track(backend, context);
    return forwardAnsweringInput(backend, method, params, context, mapResult, gateway.maxInputRounds).finally(untrack);
  }
  const sessions = gateway.sessions;
  if (!sessions || !gateway.clients.has(context.client.id)) {
    return Promise.reject(
      new JsonRpcError(
        ErrorCode.ServerError,
        `backend "${backend.name}" runs one process per client session (isolation "session"), and this call comes from no client session (an embedded call); call it through a front`,
        { server: backend.name, reason: "NO_SESSION" },
      ),
    );
  }
  let use;
  try {
    use = sessions.use(backend, context.client);
  } catch (error) {
    return Promise.reject(toWireError(error, backend.name));
  }
  const session = use;
  const untrack = requests.track(session.backend, context);
  return session.backend
    .start()
    .then(() => forwardAnsweringInput(session.backend, method, params, context, mapResult, gateway.maxInputRounds))
    .finally(() => {
      untrack();
      session.done();
    });
}
