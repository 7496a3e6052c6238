import { isJsonObject, isRequest, type JsonObject, type JsonRpcId, type JsonRpcMessage, type JsonRpcResponse } from "../jsonrpc/message.js";
import { argumentAt, headerTextOf, readHeaderParams, type HeaderParam } from "../mcp/header-params.js";
import { encodeHeaderValue } from "../mcp/header-value.js";

/**
 * The client side of `x-mcp-header` (MCP 2026-07-28): the `Mcp-Param-{name}`
 * headers of a `tools/call` to a modern Streamable HTTP server, from the
 * annotations its `tools/list` answers declared (read by
 * `mcp/header-params.ts`, the reading the front checks against too).
 */

/**
 * The `mcp-param-*` headers (lower-case names) of one call's arguments: for
 * each annotation whose argument has a header text (`headerTextOf`), that
 * text encoded as header values are; other arguments send no header.
 */
export function paramHeaderValues(params: readonly HeaderParam[], args: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const param of params) {
    const text = headerTextOf(argumentAt(args, param.path));
    if (text !== undefined) out[`mcp-param-${param.name.toLowerCase()}`] = encodeHeaderValue(text);
  }
  return out;
}

/**
 * What one connection learned from `tools/list` answers: the annotations of
 * each tool, by name, for the headers of later calls. A tool whose
 * annotations break the rules is taken out of the list it came in.
 */
export class ToolParamHeaders {
  private readonly byTool = new Map<string, readonly HeaderParam[]>();
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
      const reading = readHeaderParams(tool["inputSchema"]);
      if (reading.ok) {
        if (reading.params.length) this.byTool.set(tool["name"], reading.params);
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
