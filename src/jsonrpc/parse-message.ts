import { ErrorCode, JsonRpcError } from "./errors.js";
import { isJsonObject, type JsonRpcId, type JsonRpcMessage } from "./message.js";

/** The result of reading one JSON-RPC message. */
export type ParseOutcome =
  | { ok: true; message: JsonRpcMessage }
  | {
      ok: false;
      error: JsonRpcError;
      id: JsonRpcId | null;
      /** The input looked like a response (no "method"): `id` then names one of the reader's own requests. */
      response: boolean;
    };

/**
 * Default deepest nesting of arrays and objects accepted in a message. Real
 * MCP traffic (JSON Schemas, tool arguments) stays far below it; far deeper
 * input cannot be serialised again (JSON.stringify recurses) and is refused
 * where it is read, with the sender named, rather than failing later.
 */
export const MAX_NESTING_DEPTH = 512;

/** Limits applied while validating. */
export interface ParseLimits {
  /** Deepest nesting of arrays and objects (default MAX_NESTING_DEPTH). */
  maxDepth?: number;
}

function isId(value: unknown): value is JsonRpcId {
  return typeof value === "string" || (typeof value === "number" && Number.isFinite(value));
}

function invalid(message: string, id: JsonRpcId | null = null, response = false): ParseOutcome {
  return { ok: false, error: new JsonRpcError(ErrorCode.InvalidRequest, message), id, response };
}

/** True when `value` nests arrays and objects deeper than `limit` (the walk stops at the limit). */
function deeperThan(value: unknown, limit: number): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (limit === 0) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (deeperThan(item, limit - 1)) return true;
    return false;
  }
  for (const key in value) if (deeperThan((value as Record<string, unknown>)[key], limit - 1)) return true;
  return false;
}

/** Parse one line of text as JSON, then validate it as a JSON-RPC 2.0 envelope. */
export function parseMessageText(text: string, limits?: ParseLimits): ParseOutcome {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      error: new JsonRpcError(ErrorCode.ParseError, `Parse error: message is not valid JSON (${reason})`),
      id: null,
      response: false,
    };
  }
  return validateMessage(value, limits);
}

/**
 * Validate a parsed JSON value as a single JSON-RPC 2.0 message. The error says
 * what is wrong; the id of the offending request is kept where it is readable,
 * so the answer can reach the right caller.
 */
export function validateMessage(value: unknown, limits?: ParseLimits): ParseOutcome {
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
    const maxDepth = limits?.maxDepth ?? MAX_NESTING_DEPTH;
    // The envelope and params are two levels; the limit counts from params down.
    if (params !== undefined && deeperThan(params, maxDepth)) {
      return invalid(`Invalid Request: "params" nest arrays and objects deeper than ${maxDepth} levels`, id);
    }
    // Valid: the parsed object itself is the message (no copy on the hot path).
    return { ok: true, message: value as unknown as JsonRpcMessage };
  }

  if (!("id" in value)) return invalid('Invalid Request: a message needs "method" (request or notification) or "id" (response)');
  if (rawId !== null && !isId(rawId)) return invalid('Invalid Request: "id" must be a string, a number or null', null, true);
  const hasResult = "result" in value;
  const hasError = "error" in value;
  if (hasResult === hasError) return invalid('Invalid Request: a response needs exactly one of "result" and "error"', id, true);
  const maxDepth = limits?.maxDepth ?? MAX_NESTING_DEPTH;
  if (hasResult) {
    const result = value["result"];
    if (!isJsonObject(result)) return invalid('Invalid Request: "result" must be an object', id, true);
    if (rawId === null) return invalid('Invalid Request: a result needs a non-null "id"', null, true);
    if (deeperThan(result, maxDepth)) return invalid(`Invalid Request: "result" nests arrays and objects deeper than ${maxDepth} levels`, id, true);
    return { ok: true, message: value as unknown as JsonRpcMessage };
  }
  const error = value["error"];
  if (!isJsonObject(error) || typeof error["code"] !== "number" || !Number.isInteger(error["code"]) || typeof error["message"] !== "string") {
    return invalid('Invalid Request: "error" must be an object with an integer "code" and a string "message"', id, true);
  }
  if (deeperThan(error, maxDepth)) return invalid(`Invalid Request: "error" nests arrays and objects deeper than ${maxDepth} levels`, id, true);
  const wireError = "data" in error
    ? { code: error["code"], message: error["message"], data: error["data"] }
    : { code: error["code"], message: error["message"] };
  return { ok: true, message: { jsonrpc: "2.0", id: rawId as JsonRpcId | null, error: wireError } };
}
