import { JsonRpcError } from "../jsonrpc/errors.js";
import type { JsonObject } from "../jsonrpc/message.js";
import { toCallToolResult } from "../mcp/tool-result.js";
import type { CallToolResult } from "../mcp/types.js";
import type { RequestContext } from "./request-context.js";

/** A local tool's handler: returns a CallToolResult, a string, or any JSON-able value. */
export type LocalToolHandler = (args: JsonObject, context: RequestContext) => unknown;

/** What `Switchboard.tool()` accepts: a tool definition (inputSchema defaults to an empty object schema). */
export interface LocalToolDefinition {
  name: string;
  description?: string;
  title?: string;
  inputSchema?: JsonObject;
  outputSchema?: JsonObject;
  annotations?: JsonObject;
}

/** Run a local tool: its return value normalised, a thrown error as a tool error (a JsonRpcError stays one). */
export async function callLocalTool(handler: LocalToolHandler, args: JsonObject, context: RequestContext): Promise<CallToolResult> {
  try {
    return toCallToolResult(await handler(args, context));
  } catch (error) {
    if (error instanceof JsonRpcError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    return { content: [{ type: "text", text: message }], isError: true };
  }
}
