import { ErrorCode, JsonRpcError } from "../jsonrpc/errors.js";
import { isJsonObject, type JsonObject } from "../jsonrpc/message.js";

function invalid(message: string): JsonRpcError {
  return new JsonRpcError(ErrorCode.InvalidParams, `Invalid params: ${message}`);
}

/** The request's `_meta`, when it is an object. */
export function readMeta(params: JsonObject | undefined): JsonObject | undefined {
  const meta = params?.["_meta"];
  return isJsonObject(meta) ? meta : undefined;
}

/** Read `tools/call` params, or throw -32602 saying what is wrong. */
export function readCallParams(params: JsonObject | undefined): { name: string; args: JsonObject; meta: JsonObject | undefined; task: JsonObject | undefined } {
  const name = params?.["name"];
  if (typeof name !== "string" || name.length === 0) throw invalid('tools/call needs "name", a non-empty string');
  const args = params?.["arguments"];
  if (args !== undefined && !isJsonObject(args)) throw invalid('tools/call "arguments" must be an object when present');
  const task = params?.["task"];
  if (task !== undefined && !isJsonObject(task)) throw invalid('tools/call "task" must be an object ({ ttl? }) when present');
  return { name, args: args ?? {}, meta: readMeta(params), task };
}

/** Read `prompts/get` params (arguments are strings), or throw -32602 saying what is wrong. */
export function readPromptParams(params: JsonObject | undefined): { name: string; args: Record<string, string> | undefined } {
  const name = params?.["name"];
  if (typeof name !== "string" || name.length === 0) throw invalid('prompts/get needs "name", a non-empty string');
  const args = params?.["arguments"];
  if (args === undefined) return { name, args: undefined };
  if (!isJsonObject(args)) throw invalid('prompts/get "arguments" must be an object of strings when present');
  for (const [key, value] of Object.entries(args)) {
    if (typeof value !== "string") throw invalid(`prompts/get argument "${key}" must be a string`);
  }
  return { name, args: args as Record<string, string> };
}

/** Read the `uri` of `resources/read`, `resources/subscribe` or `resources/unsubscribe`, or throw -32602. */
export function readUriParams(method: string, params: JsonObject | undefined): string {
  const uri = params?.["uri"];
  if (typeof uri !== "string" || uri.length === 0) throw invalid(`${method} needs "uri", a non-empty string`);
  return uri;
}
