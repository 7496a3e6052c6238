import { isJsonObject, type JsonObject, type JsonRpcRequest } from "../../jsonrpc/message.js";
import { JsonRpcError } from "../../jsonrpc/errors.js";
import { McpErrorCode } from "../../mcp/error-codes.js";
import { argumentAt, headerTextMatches, headerTextOf, NO_HEADER_PARAMS, readHeaderParams, type HeaderParam, type HeaderParamsReading } from "../../mcp/header-params.js";
import { decodeHeaderValue } from "../../mcp/header-value.js";
import { MCP_NAME_FIELD, MetaKey } from "../../mcp/modern.js";

/**
 * The Streamable HTTP rules of 2026-07-28 that mirror body fields into
 * headers: `MCP-Protocol-Version` equals the `_meta` version; `Mcp-Method`
 * equals the method; `Mcp-Name` equals `params.name` (tools/call,
 * prompts/get), `params.uri` (resources/read) or `params.taskId`
 * (tasks/get, tasks/update, tasks/cancel of the tasks extension); each `Mcp-Param-{Name}`
 * that a tool's input schema declares with `x-mcp-header`
 * (`mcp/header-params.ts`) equals the argument at that property path,
 * whenever that argument has a header text; a tool whose annotations are
 * invalid cannot be called. Values may come in the Base64 sentinel
 * form `=?base64?…?=`, decoded before comparing. Any failure is -32020
 * HeaderMismatch (HTTP 400), saying which header and why.
 */

/** A header of the request, by lower-case name (first value if repeated). */
export type HeaderOf = (name: string) => string | undefined;

function mismatch(message: string): JsonRpcError {
  return new JsonRpcError(McpErrorCode.HeaderMismatch, `Header mismatch: ${message}`);
}

/**
 * The first header rule broken by this modern request, as a -32020 error,
 * or undefined when every header agrees with the body. `paramsOf` reads the
 * `x-mcp-header` annotations of a tool by its exposed name.
 */
export function checkModernHeaders(header: HeaderOf, request: JsonRpcRequest, paramsOf: (tool: string) => HeaderParamsReading): JsonRpcError | undefined {
  const meta = request.params?.["_meta"];
  const bodyVersion = isJsonObject(meta) ? meta[MetaKey.ProtocolVersion] : undefined;
  const version = header("mcp-protocol-version");
  if (version === undefined) return mismatch("the MCP-Protocol-Version header is required (it must equal _meta's protocol version)");
  if (version !== bodyVersion) {
    return mismatch(`MCP-Protocol-Version header value ${JSON.stringify(version)} does not match the body's _meta "${MetaKey.ProtocolVersion}" ${JSON.stringify(bodyVersion ?? null)}`);
  }
  const method = header("mcp-method");
  if (method === undefined) return mismatch(`the Mcp-Method header is required (send Mcp-Method: ${request.method})`);
  if (method !== request.method) return mismatch(`Mcp-Method header value ${JSON.stringify(method)} does not match the body's method ${JSON.stringify(request.method)}`);
  const field = MCP_NAME_FIELD[request.method];
  if (field === undefined) return undefined;
  const bodyName = request.params?.[field];
  const rawName = header("mcp-name");
  if (rawName === undefined) return mismatch(`the Mcp-Name header is required for ${request.method} (the value of params.${field})`);
  const name = decodeHeaderValue(rawName);
  if (name === undefined) return mismatch("the Mcp-Name header holds characters a header may not carry; send the value as =?base64?…?=");
  if (name !== bodyName) return mismatch(`Mcp-Name header value ${JSON.stringify(name)} does not match the body's params.${field} ${JSON.stringify(bodyName ?? null)}`);
  if (request.method !== "tools/call" || typeof bodyName !== "string") return undefined;
  const reading = paramsOf(bodyName);
  if (!reading.ok) {
    return mismatch(
      `tool ${JSON.stringify(bodyName)} cannot be called over Streamable HTTP: ${reading.reason}, which makes its definition invalid in this binding (a conforming client leaves it out of tools/list) and its Mcp-Param headers impossible to check; fix the server's inputSchema, or call the tool over stdio`,
    );
  }
  const args = request.params?.["arguments"];
  for (const param of reading.params) {
    const problem = checkParam(header, param, isJsonObject(args) ? args : undefined);
    if (problem !== undefined) return mismatch(problem);
  }
  return undefined;
}

/** What is wrong with one annotated argument's header, if anything: a header is expected exactly when the argument has a header text. */
function checkParam(header: HeaderOf, param: HeaderParam, args: JsonObject | undefined): string | undefined {
  const value = argumentAt(args, param.path);
  if (headerTextOf(value) === undefined) return undefined;
  const label = `Mcp-Param-${param.name}`;
  const raw = header(`mcp-param-${param.name.toLowerCase()}`);
  if (raw === undefined) return `the ${label} header is required: the tool's input schema mirrors argument ${param.path.join(".")} into it`;
  const text = decodeHeaderValue(raw);
  if (text === undefined) return `the ${label} header holds characters a header may not carry; send the value as =?base64?…?=`;
  return headerTextMatches(text, value) ? undefined : `${label} header value ${JSON.stringify(text)} does not match argument ${param.path.join(".")} ${JSON.stringify(value)}`;
}

/** Readings per tool name (only tools with annotations, valid or not), computed once per tools list (the list object is replaced on every catalog rebuild). */
const byList = new WeakMap<object, Map<string, HeaderParamsReading>>();

/** The reading of the annotations of tool `name` in the tools list result `list` (`{ tools: [...] }`). */
export function headerParamsIn(list: JsonObject, name: string): HeaderParamsReading {
  let table = byList.get(list);
  if (table === undefined) {
    table = new Map();
    const tools = list["tools"];
    for (const tool of Array.isArray(tools) ? tools : []) {
      if (!isJsonObject(tool) || typeof tool["name"] !== "string") continue;
      const reading = readHeaderParams(tool["inputSchema"]);
      if (reading !== NO_HEADER_PARAMS) table.set(tool["name"], reading);
    }
    byList.set(list, table);
  }
  return table.get(name) ?? NO_HEADER_PARAMS;
}
