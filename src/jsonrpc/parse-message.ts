import { ErrorCode, JsonRpcError } from "./errors.js";
import { isJsonObject, type JsonRpcId, type JsonRpcMessage } from "./message.js";

/** The result of reading one JSON-RPC message. */
export type ParseOutcome =
  | { ok: true; message: JsonRpcMessage }
  | { ok: false; error: JsonRpcError; id: JsonRpcId | null };

function isId(value: unknown): value is JsonRpcId {
  return typeof value === "string" || (typeof value === "number" && Number.isFinite(value));
}

function invalid(message: string, id: JsonRpcId | null = null): ParseOutcome {
  return { ok: false, error: new JsonRpcError(ErrorCode.InvalidRequest, message), id };
}

/** Parse one line of text as JSON, then validate it as a JSON-RPC 2.0 envelope. */
export function parseMessageText(text: string): ParseOutcome {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      error: new JsonRpcError(ErrorCode.ParseError, `Parse error: message is not valid JSON (${reason})`),
      id: null,
    };
  }
  return validateMessage(value);
}

/**
 * Validate a parsed JSON value as a single JSON-RPC 2.0 message. The error says
 * what is wrong; the id of the offending request is kept where it is readable,
 * so the answer can reach the right caller.
 */
export function validateMessage(value: unknown): ParseOutcome {
  if (Array.isArray(value)) return invalid("Invalid Request: batches are not accepted here; send one message per line");
  if (!isJsonObject(value)) return invalid("Invalid Request: a JSON-RPC message must be a JSON object");
  const rawId = value["id"];
  const id = isId(rawId) ? rawId : null;
  if (value["jsonrpc"] !== "2.0") return invalid('Invalid Request: "jsonrpc" must be "2.0"', id);

  if ("method" in value) {
    const method = value["method"];
    if (typeof method !== "string" || method.length === 0) {
      return invalid('Invalid Request: "method" must be a non-empty string', id);
    }
    const params = value["params"];
    if (params !== undefined && !isJsonObject(params)) {
      return invalid('Invalid Request: "params" must be an object when present', id);
    }
    if ("id" in value && !isId(rawId)) return invalid('Invalid Request: "id" must be a string or a number', null);
    // Valid: the parsed object itself is the message (no copy on the hot path).
    return { ok: true, message: value as unknown as JsonRpcMessage };
  }

  if (!("id" in value)) return invalid('Invalid Request: a message needs "method" (request or notification) or "id" (response)');
  if (rawId !== null && !isId(rawId)) return invalid('Invalid Request: "id" must be a string, a number or null');
  const hasResult = "result" in value;
  const hasError = "error" in value;
  if (hasResult === hasError) return invalid('Invalid Request: a response needs exactly one of "result" and "error"', id);
  if (hasResult) {
    const result = value["result"];
    if (!isJsonObject(result)) return invalid('Invalid Request: "result" must be an object', id);
    if (rawId === null) return invalid('Invalid Request: a result needs a non-null "id"');
    return { ok: true, message: value as unknown as JsonRpcMessage };
  }
  const error = value["error"];
  if (!isJsonObject(error) || typeof error["code"] !== "number" || !Number.isInteger(error["code"]) || typeof error["message"] !== "string") {
    return invalid('Invalid Request: "error" must be an object with an integer "code" and a string "message"', id);
  }
  const wireError = "data" in error
    ? { code: error["code"], message: error["message"], data: error["data"] }
    : { code: error["code"], message: error["message"] };
  return { ok: true, message: { jsonrpc: "2.0", id: rawId as JsonRpcId | null, error: wireError } };
}
