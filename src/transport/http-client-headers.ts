import { isJsonObject, isRequest, isResponse, type JsonRpcMessage } from "../jsonrpc/message.js";

/**
 * The request metadata headers of MCP 2026-07-28's Streamable HTTP binding:
 * `MCP-Protocol-Version` from the body's `_meta`, `Mcp-Method`, and
 * `Mcp-Name` for the methods that name a tool, prompt, resource or task. Pure.
 */

/** `_meta` key naming a modern request's protocol version (as in mcp/modern.ts, which this layer does not import). */
const PROTOCOL_VERSION_KEY = "io.modelcontextprotocol/protocolVersion";

/** Methods whose `Mcp-Name` header mirrors a body field, and which field (as MCP_NAME_FIELD in mcp/modern.ts; the tasks extension's task methods included). */
const NAME_FIELD: Readonly<Record<string, "name" | "uri" | "taskId">> = {
  "tools/call": "name",
  "prompts/get": "name",
  "resources/read": "uri",
  "tasks/get": "taskId",
  "tasks/update": "taskId",
  "tasks/cancel": "taskId",
};

const SENTINEL_PREFIX = "=?base64?";
const SENTINEL_SUFFIX = "?=";

/**
 * A value as an HTTP header value: as it is when it is plain printable ASCII
 * (0x20–0x7E) without leading or trailing spaces; otherwise, and when it
 * looks like the sentinel itself, `=?base64?{UTF-8 as Base64}?=`.
 */
export function encodeHeaderValue(value: string): string {
  const plain =
    /^[\x20-\x7e]*$/.test(value) &&
    value.trim() === value &&
    !(value.startsWith(SENTINEL_PREFIX) && value.endsWith(SENTINEL_SUFFIX) && value.length >= SENTINEL_PREFIX.length + SENTINEL_SUFFIX.length);
  return plain ? value : `${SENTINEL_PREFIX}${Buffer.from(value, "utf8").toString("base64")}${SENTINEL_SUFFIX}`;
}

/** The value a header carries, the sentinel form decoded; undefined for a sentinel that is not valid Base64. */
export function decodeHeaderValue(header: string): string | undefined {
  if (!(header.startsWith(SENTINEL_PREFIX) && header.endsWith(SENTINEL_SUFFIX) && header.length >= SENTINEL_PREFIX.length + SENTINEL_SUFFIX.length)) return header;
  const encoded = header.slice(SENTINEL_PREFIX.length, header.length - SENTINEL_SUFFIX.length);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded) || encoded.length % 4 !== 0) return undefined;
  return Buffer.from(encoded, "base64").toString("utf8");
}

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
  const version = meta[PROTOCOL_VERSION_KEY];
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
  const field = isRequest(message) ? NAME_FIELD[message.method] : undefined;
  const value = field !== undefined && isJsonObject(message.params) ? message.params[field] : undefined;
  if (typeof value === "string") headers["mcp-name"] = encodeHeaderValue(value);
  return headers;
}

/** A version is a date; anything else a caller put in `_meta` must still not break the header (the server answers -32022). */
function encodeVersion(version: string): string {
  return /^[\x21-\x7e]+$/.test(version) ? version : encodeHeaderValue(version);
}
