import type { JsonObject } from "../jsonrpc/message.js";

/** Name and version of a client or server implementation. */
export interface Implementation {
  name: string;
  version: string;
  title?: string;
  [key: string]: unknown;
}

/** A tool as listed by `tools/list`. */
export interface Tool {
  name: string;
  description?: string;
  inputSchema: JsonObject;
  outputSchema?: JsonObject;
  title?: string;
  annotations?: JsonObject;
  _meta?: JsonObject;
  [key: string]: unknown;
}

/** One content block of a tool result (text, image, audio, resource, resource_link). */
export interface ContentBlock {
  type: string;
  [key: string]: unknown;
}

/** The result of `tools/call`. */
export interface CallToolResult {
  content: ContentBlock[];
  structuredContent?: JsonObject;
  isError?: boolean;
  _meta?: JsonObject;
  [key: string]: unknown;
}

/** What the server answers to `initialize`. */
export interface InitializeResult {
  protocolVersion: string;
  capabilities: JsonObject;
  serverInfo: Implementation;
  instructions?: string;
  [key: string]: unknown;
}
