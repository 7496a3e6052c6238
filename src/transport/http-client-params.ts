import { isJsonObject, isRequest, type JsonObject, type JsonRpcId, type JsonRpcMessage, type JsonRpcResponse } from "../jsonrpc/message.js";
import { encodeHeaderValue } from "../mcp/header-value.js";

/**
 * `x-mcp-header` (MCP 2026-07-28): a tool's input schema may mark primitive
 * parameters to be mirrored into `Mcp-Param-{name}` headers of its
 * `tools/call` over Streamable HTTP. Pure: reading annotations, checking
 * them, and the header values of one call's arguments.
 */

/** One mirrored parameter: the header's name portion and the `properties` path to the value. */
export interface ParamHeader {
  name: string;
  path: readonly string[];
}

/** A tool's annotations, or why its definition must be rejected. */
export type ParamHeaderReading = { ok: true; headers: ParamHeader[] } | { ok: false; reason: string };

const ANNOTATION = "x-mcp-header";
/** RFC 9110 field-name tokens (`1*tchar`). */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Keywords holding a schema, or an array of schemas, under which an annotation is not statically reachable. */
const SUBSCHEMA_KEYWORDS = ["items", "prefixItems", "additionalProperties", "contains", "oneOf", "anyOf", "allOf", "not", "if", "then", "else", "unevaluatedProperties", "unevaluatedItems", "propertyNames"];
/** Keywords holding a map of schemas, equally unreachable. */
const SCHEMA_MAP_KEYWORDS = ["patternProperties", "$defs", "definitions", "dependentSchemas"];

/**
 * The `x-mcp-header` annotations of an input schema, checked: each a token,
 * unique ignoring case, on an `integer`, `string` or `boolean` property
 * reached from the root through `properties` only. An annotation anywhere
 * else, or one breaking a rule, rejects the whole tool.
 */
export function readParamHeaders(inputSchema: unknown): ParamHeaderReading {
  const headers: ParamHeader[] = [];
  const seen = new Set<string>();
  let problem: string | undefined;
  const visit = (schema: unknown, path: string[], reachable: boolean): void => {
    if (problem !== undefined || !isJsonObject(schema)) return;
    if (ANNOTATION in schema) {
      const name = schema[ANNOTATION];
      const where = path.length ? `property "${path.join(".")}"` : "the schema root";
      if (!reachable || path.length === 0) problem = `${ANNOTATION} on ${where} is not reachable through "properties" alone`;
      else if (typeof name !== "string" || !TOKEN.test(name)) problem = `${ANNOTATION} of ${where} is not a valid header name`;
      else if (seen.has(name.toLowerCase())) problem = `${ANNOTATION} "${name}" is used twice`;
      else if (!isPrimitive(schema["type"])) problem = `${ANNOTATION} "${name}" is on ${where}, which is not an integer, string or boolean`;
      else {
        seen.add(name.toLowerCase());
        headers.push({ name, path: [...path] });
      }
    }
    const properties = schema["properties"];
    if (isJsonObject(properties)) for (const [key, value] of Object.entries(properties)) visit(value, [...path, key], reachable);
    for (const keyword of SUBSCHEMA_KEYWORDS) {
      const sub = schema[keyword];
      if (Array.isArray(sub)) for (const item of sub) visit(item, path, false);
      else visit(sub, path, false);
    }
    for (const keyword of SCHEMA_MAP_KEYWORDS) {
      const map = schema[keyword];
      if (isJsonObject(map)) for (const value of Object.values(map)) visit(value, path, false);
    }
  };
  visit(inputSchema, [], true);
  return problem === undefined ? { ok: true, headers } : { ok: false, reason: problem };
}

/**
 * The `mcp-param-*` headers (lower-case names) of one call's arguments: the
 * value at each annotated path, when present and primitive, as a string
 * (`true`/`false` for booleans, decimal for integers), encoded as header
 * values are; absent and null values send no header.
 */
export function paramHeaderValues(headers: readonly ParamHeader[], args: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const header of headers) {
    let value: unknown = args;
    for (const key of header.path) value = isJsonObject(value) ? value[key] : undefined;
    let text: string | undefined;
    if (typeof value === "string") text = value;
    else if (typeof value === "boolean") text = value ? "true" : "false";
    else if (typeof value === "number" && Number.isSafeInteger(value)) text = String(value);
    if (text !== undefined) out[`mcp-param-${header.name.toLowerCase()}`] = encodeHeaderValue(text);
  }
  return out;
}

/**
 * What one connection learned from `tools/list` answers: the annotations of
 * each tool, by name, for the headers of later calls. A tool whose
 * annotations break the rules is taken out of the list it came in.
 */
export class ToolParamHeaders {
  private readonly byTool = new Map<string, ParamHeader[]>();
  /** Modern `tools/list` requests awaiting their answer. */
  private readonly listing = new Set<JsonRpcId>();

  /** A (modern) `tools/list` request `id` was sent: its answer is to be read. */
  listingSent(id: JsonRpcId): void {
    this.listing.add(id);
  }

  /** Request `id` will get no answer we read (it was cancelled). */
  forget(id: JsonRpcId): void {
    this.listing.delete(id);
  }

  /** A response: when it answers a listing we sent, learn it; returns what to deliver (rejected tools left out). */
  read(response: JsonRpcResponse, rejected: (tool: string, reason: string) => void): JsonRpcResponse {
    if (this.listing.size === 0 || response.id === null || !this.listing.delete(response.id) || !("result" in response)) return response;
    const result = this.learn(response.result, rejected);
    return result === response.result ? response : { ...response, result };
  }

  /** The `mcp-param-*` headers of a message when it is a `tools/call` of a tool with annotations. */
  headersOf(message: JsonRpcMessage): Record<string, string> | undefined {
    if (!isRequest(message) || message.method !== "tools/call" || !isJsonObject(message.params)) return undefined;
    const name = message.params["name"];
    return typeof name === "string" ? this.headersFor(name, message.params["arguments"]) : undefined;
  }

  /**
   * Read a `tools/list` result: remember each tool's annotations; returns
   * the result without the tools that must be rejected (the same object when
   * none are), and calls `rejected` for each.
   */
  learn(result: JsonObject, rejected: (tool: string, reason: string) => void): JsonObject {
    const tools = result["tools"];
    if (!Array.isArray(tools)) return result;
    let kept: unknown[] | undefined;
    tools.forEach((tool, index) => {
      if (!isJsonObject(tool) || typeof tool["name"] !== "string") return;
      const reading = readParamHeaders(tool["inputSchema"]);
      if (reading.ok) {
        if (reading.headers.length) this.byTool.set(tool["name"], reading.headers);
        else this.byTool.delete(tool["name"]);
        kept?.push(tool);
        return;
      }
      kept ??= tools.slice(0, index);
      this.byTool.delete(tool["name"]);
      rejected(tool["name"], reading.reason);
    });
    return kept === undefined ? result : { ...result, tools: kept as JsonObject[] };
  }

  /** The `mcp-param-*` headers of a call to `tool` with `args` (none for a tool without annotations). */
  headersFor(tool: string, args: unknown): Record<string, string> | undefined {
    const headers = this.byTool.get(tool);
    return headers ? paramHeaderValues(headers, args) : undefined;
  }
}

function isPrimitive(type: unknown): boolean {
  return type === "string" || type === "integer" || type === "boolean";
}
