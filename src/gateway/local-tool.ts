import type { JsonObject } from "../jsonrpc/message.js";
import type { Tool } from "../mcp/types.js";
import type { RequestContext } from "./request-context.js";

/** A local tool's handler: returns a CallToolResult, a string, or any JSON-able value. */
export type LocalToolHandler = (args: JsonObject, context: RequestContext) => unknown;

/** A tool registered in code, served by the switchboard itself. */
export interface LocalTool {
  definition: Tool;
  handler: LocalToolHandler;
}

/** What `Switchboard.tool()` accepts: a tool definition (inputSchema defaults to an empty object schema). */
export interface LocalToolDefinition {
  name: string;
  description?: string;
  title?: string;
  inputSchema?: JsonObject;
  outputSchema?: JsonObject;
  annotations?: JsonObject;
}
