import type { Backend } from "../backend/backend.js";
import { Cancellation } from "../jsonrpc/cancellation.js";
import { ErrorCode, JsonRpcError } from "../jsonrpc/errors.js";
import { isJsonObject, type JsonObject } from "../jsonrpc/message.js";
import { ServedRequest } from "../jsonrpc/served-request.js";
import { isInputRequired } from "../mcp/modern.js";
import { forward } from "./forward.js";
import type { RequestContext } from "./request-context.js";

/** Default of `proxy.maxInputRounds`: input rounds of one call before it is given up. */
export const DEFAULT_MAX_INPUT_ROUNDS = 16;
/** Most input requests one round may carry; a backend asking for more fails the call. */
export const MAX_INPUT_REQUESTS_PER_ROUND = 32;

/**
 * forward() a legacy client's request to a backend, answering the modern
 * backend's Multi Round-Trip Requests on the client's behalf: when the answer
 * is `resultType: "input_required"`, each of its `inputRequests` goes to the
 * client as an ordinary server-to-client request (through the backend's own
 * route, gateway/server-requests.ts: the client's capabilities are checked,
 * the server's timeout applies, the client's cancellation cancels it), one
 * after the other in the order given; then the same call is retried with the
 * answers as `inputResponses` and the backend's `requestState`, as many
 * rounds as the backend asks, at most `maxRounds`. A client that cannot or
 * does not answer fails the call with a clear error (-32000, `data.reason`).
 *
 * A modern client's request, or any request to a legacy backend, is
 * forward() as it is (a modern client answers input_required itself).
 */
export function forwardAnsweringInput(
  backend: Backend,
  method: string,
  params: JsonObject,
  context: RequestContext,
  mapResult: ((result: JsonObject) => JsonObject) | undefined,
  maxRounds: number,
): Promise<JsonObject> {
  const answered = forward(backend, method, params, context, mapResult);
  if (context.client.era === "modern" || backend.backendSession?.era !== "modern") return answered;
  return answered.then((result) => (isInputRequired(result) ? rounds(backend, method, params, context, mapResult, maxRounds, result) : result));
}

async function rounds(
  backend: Backend,
  method: string,
  params: JsonObject,
  context: RequestContext,
  mapResult: ((result: JsonObject) => JsonObject) | undefined,
  maxRounds: number,
  first: JsonObject,
): Promise<JsonObject> {
  const { inputResponses: _previous, requestState: _state, ...base } = params;
  let result = first;
  for (let round = 1; isInputRequired(result); round++) {
    if (round > maxRounds) {
      throw failure(backend, method, `still asked for input after ${maxRounds} rounds; the call was given up (raise proxy.maxInputRounds if it needs more)`, "INPUT_ROUNDS");
    }
    const requests = result["inputRequests"] ?? {};
    if (!isJsonObject(requests)) throw failure(backend, method, 'answered input_required with an "inputRequests" that is not an object', "INVALID_INPUT_REQUESTS");
    const entries = Object.entries(requests);
    if (entries.length > MAX_INPUT_REQUESTS_PER_ROUND) {
      throw failure(backend, method, `asked for ${entries.length} inputs in one round (at most ${MAX_INPUT_REQUESTS_PER_ROUND} are passed on)`, "INVALID_INPUT_REQUESTS");
    }
    const responses: JsonObject = {};
    for (const [key, input] of entries) responses[key] = await ask(backend, method, context, key, input);
    const retry: JsonObject = { ...base, inputResponses: responses };
    const state = result["requestState"];
    if (typeof state === "string") retry["requestState"] = state;
    result = await forward(backend, method, retry, context, mapResult);
  }
  return result;
}

/** One input request to the client, as if the backend had sent it on its connection. */
async function ask(backend: Backend, method: string, context: RequestContext, key: string, input: unknown): Promise<JsonObject> {
  if (!isJsonObject(input) || typeof input["method"] !== "string" || (input["params"] !== undefined && !isJsonObject(input["params"]))) {
    throw failure(backend, method, `sent input request "${key}" that is not a request ({ method, params })`, "INVALID_INPUT_REQUESTS");
  }
  const inputMethod = input["method"];
  const inputParams = isJsonObject(input["params"]) ? input["params"] : undefined;
  // Its own cancellation, cancelled with the client's call: the route may attach listeners that must not outlive this request.
  const cancellation = new Cancellation();
  const unlink = context.cancellation.onCancel((reason) => cancellation.cancel(reason));
  // Tagged with the call's context: the route sends it to exactly this call's client, on this call's stream.
  const request = new ServedRequest(`input:${key}`, inputMethod, inputParams, cancellation, () => Promise.resolve(), undefined, context);
  try {
    return await backend.serveClientRequest(request);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    const reason = error instanceof JsonRpcError && isJsonObject(error.data) && typeof error.data["reason"] === "string" ? error.data["reason"] : "INPUT_FAILED";
    throw failure(backend, method, `needs input from the client (${inputMethod} "${key}"), which it could not give: ${why}`, reason);
  } finally {
    unlink();
  }
}

function failure(backend: Backend, method: string, what: string, reason: string): JsonRpcError {
  return new JsonRpcError(ErrorCode.ServerError, `${method} on backend "${backend.name}" ${what}`, { server: backend.name, reason });
}
