import { encodeHeaderValue } from "../mcp/header-value.js";
import { MCP_NAME_FIELD, MetaKey } from "../mcp/modern.js";
import { isJsonObject, isRequest, isResponse, type JsonRpcMessage } from "../jsonrpc/message.js";

/**
 * The request metadata headers of MCP 2026-07-28's Streamable HTTP binding:
 * `MCP-Protocol-Version` from the body's `_meta`, `Mcp-Method`, and
 * `Mcp-Name` for the methods that name a tool, prompt, resource or task. Pure.
 */

/**
 * The protocol version a message claims in `params._meta`, when it claims
 * one: such a message is sent in the modern binding (no session, the
 * request metadata headers). Responses never do.
 */
export function modernVersionOf(message: JsonRpcMessage): string | undefined {
  if (isResponse(message)) return undefined;
  const params = message.params;
  if (!isJsonObject(params)) return undefined;
  const meta = params["_meta"];
  if (!isJsonObject(meta)) return undefined;
  const version = meta[MetaKey.ProtocolVersion];
  return typeof version === "string" ? version : undefined;
}

/**
 * The request metadata headers of a modern message (lower-case names):
 * `mcp-protocol-version`, `mcp-method`, and `mcp-name` when the method names
 * a tool, prompt or resource and the body carries that name as a string.
 */
export function modernHeaders(message: JsonRpcMessage, version: string): Record<string, string> {
  const headers: Record<string, string> = { "mcp-protocol-version": encodeVersion(version) };
  if (isResponse(message)) return headers;
  headers["mcp-method"] = encodeHeaderValue(message.method);
  const field = isRequest(message) ? MCP_NAME_FIELD[message.method] : undefined;
  const value = field !== undefined && isJsonObject(message.params) ? message.params[field] : undefined;
  if (typeof value === "string") headers["mcp-name"] = encodeHeaderValue(value);
  return headers;
}

/** A version is a date; anything else a caller put in `_meta` must still not break the header (the server answers -32022). */
function encodeVersion(version: string): string {
  return /^[\x21-\x7e]+$/.test(version) ? version : encodeHeaderValue(version);
}
