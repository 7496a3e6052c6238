import type { ForwardOptions } from "../backend/backend-types.js";
import { ErrorCode, JsonRpcError } from "../jsonrpc/errors.js";
import { SwitchboardError, type LocalErrorCode } from "../jsonrpc/local-error.js";
import type { JsonObject } from "../jsonrpc/message.js";
import { McpErrorCode } from "../mcp/error-codes.js";
import { Method } from "../mcp/methods.js";
import type { RequestContext } from "./request-context.js";

/** What forward() needs of a backend: its name and a way to send it a request. */
export interface Upstream {
  readonly name: string;
  request(method: string, params: JsonObject | undefined, options?: ForwardOptions): Promise<JsonObject>;
}

/**
 * Send one client request on to a backend: the one path of every routed
 * request (`tools/call`, `prompts/get`, `resources/read`,
 * `completion/complete`, `resources/subscribe` …). `params` are the
 * backend's (original name or URI); the client's `_meta` is passed on
 * except `progressToken`, which the backend layer replaces with a token of
 * its own and maps back, so progress reaches this client with its own token
 * (advisory: a slow reader gets the latest report per token). The client's
 * cancellation cancels the backend request, and the request is tagged with
 * `context`, so that what the backend asks on its response stream is tied
 * to this call (`IncomingRequest.relatedTag`). Failures become wire errors
 * (toWireError); `mapResult`, when given, rewrites the backend's result
 * (URIs mapped back) in the same step.
 *
 * Not an async function: this is the hot path, and each async frame costs
 * an allocation per call.
 */
export function forward(
  upstream: Upstream,
  method: string,
  params: JsonObject,
  context: RequestContext,
  mapResult?: (result: JsonObject) => JsonObject,
): Promise<JsonObject> {
  const meta = context.meta;
  const token = meta?.["progressToken"];
  let sent = params;
  if (meta) {
    const { progressToken: _omit, ...rest } = meta;
    if (Object.keys(rest).length > 0) sent = { ...params, _meta: rest };
  }
  // The tag: a backend request arriving on this request's stream names its caller (server-requests.ts).
  const options: ForwardOptions = { cancellation: context.cancellation, tag: context, clientCapabilities: context.client.capabilities };
  if (token !== undefined) {
    const advisory = { advisory: { coalesceKey: `progress:${String(token)}` } };
    options.onProgress = (progress) =>
      void context.notify(Method.Progress, { ...progress, progressToken: token }, advisory).catch(() => undefined);
  }
  const fail = (error: unknown): never => {
    throw toWireError(error, upstream.name);
  };
  const answered = upstream.request(method, sent, options);
  return mapResult ? answered.then(mapResult, fail) : answered.catch(fail);
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
  "SESSION_BACKEND_LIMIT",
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
